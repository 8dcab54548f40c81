"""core.office_hours: OFFICE_HOURS read, and the next opening in Morocco's time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from core.office_hours import parse
from core.settings import TIMEZONE, SettingsError, load

WEEK = parse("Mon-Fri 09:00-17:00")


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        (datetime(2026, 1, 14, 9, 0, tzinfo=timezone.utc), None),  # Wed 10:00 in Morocco
        (datetime(2026, 1, 14, 17, 30, tzinfo=timezone.utc), datetime(2026, 1, 15, 9, 0)),
        (datetime(2026, 1, 15, 6, 0, tzinfo=timezone.utc), datetime(2026, 1, 15, 9, 0)),
        (datetime(2026, 1, 16, 16, 0, tzinfo=timezone.utc), datetime(2026, 1, 19, 9, 0)),  # Fri
        (datetime(2026, 1, 17, 12, 0, tzinfo=timezone.utc), datetime(2026, 1, 19, 9, 0)),  # Sat
    ],
)
def test_next_opening(moment: datetime, opening: datetime | None) -> None:
    expected = opening.replace(tzinfo=TIMEZONE) if opening else None
    assert WEEK.next_opening(moment) == expected


def test_lists_and_wrapping_ranges() -> None:
    hours = parse("Sat-Mon 08:30-12:30")
    assert hours.days == frozenset({5, 6, 0})
    assert parse("mon, wed,Fri 10:00-11:00").days == frozenset({0, 2, 4})


@pytest.mark.parametrize(
    "value", ["", "Mon-Fri", "Lun-Ven 09:00-17:00", "Mon-Fri 17:00-09:00", "Mon 25:00-26:00"]
)
def test_malformed_hours_are_refused(value: str) -> None:
    with pytest.raises(SettingsError):
        parse(value)


def test_the_setting_defaults_to_the_working_week() -> None:
    assert load({}).office_hours == "Mon-Fri 09:00-17:00"
    assert load({"OFFICE_HOURS": "Mon-Thu 08:00-16:00"}).office_hours == "Mon-Thu 08:00-16:00"
