"""Reading a channel's credentials: credentials.yml's section, or the same keys of the environment.

A channel whose secrets are all empty is off (its settings are None, or disabled); one secret
set and another empty, or a placeholder such as "changeme", is a SettingsError
(``core.settings.check_secret``), so a half-configured channel fails at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def text(values: Mapping[str, Any], key: str) -> str:
    """The value of ``key`` as stripped text; empty when missing or None."""
    value = values.get(key)
    return "" if value is None else str(value).strip()


def all_empty(values: Mapping[str, Any], *keys: str) -> bool:
    """True when every one of ``keys`` is empty: the channel is off."""
    return not any(text(values, key) for key in keys)


def api_url(values: Mapping[str, Any], default: str) -> str:
    """The ``api_url`` value without its trailing slash; ``default`` when empty."""
    return (text(values, "api_url") or default).rstrip("/")
