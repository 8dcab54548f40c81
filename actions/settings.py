"""The one place that reads the environment.

Nothing here runs at import time beyond constant definitions; values are read when asked for,
so tests can set the environment first.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KB_DIR = PROJECT_ROOT / "data" / "kb"
VAR_DIR = PROJECT_ROOT / "var"
TIMEZONE = ZoneInfo("Africa/Casablanca")

_PLACEHOLDERS = {"", "changeme", "change-me", "xxx", "your-token-here", "todo"}


class SettingsError(RuntimeError):
    """A required setting is missing or still holds a placeholder."""


def database_url() -> str:
    """SQLAlchemy URL of the knowledge base; an SQLite file under var/ by default."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{VAR_DIR / 'asmex.db'}"


def today() -> date:
    """Today's date in Morocco, or ASMEX_TODAY (YYYY-MM-DD) when set, for tests and demos."""
    forced = os.environ.get("ASMEX_TODAY", "").strip()
    if forced:
        try:
            return date.fromisoformat(forced)
        except ValueError as exc:
            raise SettingsError(f"ASMEX_TODAY must be YYYY-MM-DD, got {forced!r}") from exc
    return datetime.now(TIMEZONE).date()


def is_placeholder(value: str) -> bool:
    """True for an empty secret or one still holding an example value such as "changeme"."""
    return value.strip().lower() in _PLACEHOLDERS


def check_secret(name: str, value: object) -> str:
    """``value`` stripped; SettingsError naming ``name`` when empty or still a placeholder."""
    text = str(value or "").strip()
    if is_placeholder(text):
        raise SettingsError(f"{name} is not set (see .env.example)")
    return text


def require_secret(name: str) -> str:
    """Return a secret from the environment, failing fast when missing or a placeholder."""
    return check_secret(name, os.environ.get(name))


def optional(name: str, default: str = "") -> str:
    """Return an optional setting, stripped, or the default."""
    return os.environ.get(name, default).strip() or default
