"""core.office_hours: OFFICE_HOURS read, and the next opening in Morocco's time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from core.office_hours import MOROCCO_FIXED_HOLIDAYS, closed_days, parse
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


HOLIDAYS = parse("Mon-Fri 09:00-17:00", MOROCCO_FIXED_HOLIDAYS + ",2027-03-10")


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        # Wednesday 18 November 2026, Independence Day, 10:00 in Morocco: Thursday 09:00.
        (datetime(2026, 11, 18, 9, 0, tzinfo=timezone.utc), datetime(2026, 11, 19, 9, 0)),
        # Thursday 30 July 2026 (Throne Day) at 08:00: Friday 31 July.
        (datetime(2026, 7, 30, 7, 0, tzinfo=timezone.utc), datetime(2026, 7, 31, 9, 0)),
        # Friday 13 August 2027 after hours: 14 August is a Saturday anyway, Monday 16 opens.
        (datetime(2027, 8, 13, 17, 0, tzinfo=timezone.utc), datetime(2027, 8, 16, 9, 0)),
        # Wednesday 19 August 2026 evening: 20 and 21 August closed, then the weekend: Monday.
        (datetime(2026, 8, 19, 18, 0, tzinfo=timezone.utc), datetime(2026, 8, 24, 9, 0)),
        # A one-off date given by staff (a religious holiday): Wednesday 10 March 2027.
        (datetime(2027, 3, 9, 18, 0, tzinfo=timezone.utc), datetime(2027, 3, 11, 9, 0)),
        # An ordinary Wednesday is open.
        (datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc), None),
    ],
)
def test_closed_days_are_skipped(moment: datetime, opening: datetime | None) -> None:
    expected = opening.replace(tzinfo=TIMEZONE) if opening else None
    assert HOLIDAYS.next_opening(moment) == expected


def test_closed_days_default_to_moroccos_fixed_public_holidays() -> None:
    assert load({}).office_closed_days == MOROCCO_FIXED_HOLIDAYS
    assert "11-18" in closed_days(load({}).office_closed_days)
    assert load({"OFFICE_CLOSED_DAYS": ""}).office_closed_days == ""  # explicitly none
    assert closed_days(" 01-01 , 2027-03-10,,") == frozenset({"01-01", "2027-03-10"})
    assert "02-29" in closed_days("02-29")


@pytest.mark.parametrize("value", ["13-01", "2026-02-30", "18/11", "Noel", "2026-1-5x"])
def test_malformed_closed_days_are_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="OFFICE_CLOSED_DAYS"):
        parse("Mon-Fri 09:00-17:00", value)
