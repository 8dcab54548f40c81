"""Action-server responses are checked as strictly as Rasa does, without re-checking the schema."""

from __future__ import annotations

from typing import Any
from unittest import mock

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.extensions.tracker_store  # noqa: F401 - importing it installs the validator, as in `rasa run`
from bot.extensions.action_schema import response_validator, validate_action_result

GOOD: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "ar"}], "responses": []},
    {"responses": [{"text": "مرحبا", "buttons": [{"title": "البعثات", "payload": "/x"}]}]},
    {},
]
BAD: list[Any] = [
    {"events": "not a list"},
    {"events": [{"name": "language"}]},  # an event without its "event" key
    {"responses": "Bonjour"},
    {"events": [{"event": 3}]},
]


@pytest.fixture()
def action() -> RemoteAction:
    return RemoteAction("action_missions", EndpointConfig("http://localhost:1/webhook"))


def test_rasa_server_uses_it_once_bot_tracker_store_is_imported(action: RemoteAction) -> None:
    assert RemoteAction._validate_action_result is validate_action_result
    assert action._validate_action_result(GOOD[1]) is True


@pytest.mark.parametrize("result", GOOD)
def test_accepts_what_jsonschema_validate_accepts(action: RemoteAction, result: dict) -> None:
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    assert validate_action_result(action, result) is True


@pytest.mark.parametrize("result", BAD)
def test_rejects_what_jsonschema_validate_rejects_with_the_same_error(
    action: RemoteAction, result: Any
) -> None:
    with pytest.raises(jsonschema.ValidationError) as reference:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        validate_action_result(action, result)
    assert ours.value.message.startswith(reference.value.message)
    assert "Failed to validate Action server response" in ours.value.message
    assert list(ours.value.path) == list(reference.value.path)


def test_the_schema_is_checked_against_the_metaschema_once(action: RemoteAction) -> None:
    response_validator.cache_clear()
    cls = type(response_validator())
    with mock.patch.object(cls, "check_schema", wraps=cls.check_schema) as check:
        for _ in range(5):
            validate_action_result(action, GOOD[1])
        with pytest.raises(jsonschema.ValidationError):
            validate_action_result(action, BAD[0])
    assert check.call_count == 0
