"""Check action-server responses against Rasa's schema with a validator built once.

Rasa 3.6 checks every custom action's response with ``jsonschema.validate(result, schema)``,
which re-validates the schema itself against the JSON Schema metaschema on every call, a
large share of the server's CPU under load (measured in docs/benchmarks.md). ``install()``
replaces ``RemoteAction._validate_action_result`` with the same check (same schema, same
``best_match`` error, same message) done by a validator whose schema was checked once.

Installed by ``bot.extensions.install()``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError, exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_HINT = (
    ". Failed to validate Action server response from API, "
    "make sure your response from the Action endpoint is valid. "
    f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
)


@lru_cache(maxsize=1)
def response_validator() -> Any:
    """A validator for Rasa's action-response schema (the schema is checked here, once)."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of one action-server response: True, or raise ValidationError."""
    error: ValidationError | None = exceptions.best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += _HINT
        raise error
    return True


def install() -> None:
    """Make RemoteAction use the validator built once (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
