"""Today's date, the one clock every "upcoming" and "past" is computed from."""

from __future__ import annotations

from datetime import date, datetime

from core import settings


def today() -> date:
    """Today's date in Morocco, or the fixed ASMEX_TODAY of a demo or a test."""
    return settings.current().today or datetime.now(settings.TIMEZONE).date()
