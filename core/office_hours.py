"""When ASMEX staff answer handoffs: OFFICE_HOURS (e.g. ``Mon-Fri 09:00-17:00``, or
``Mon,Tue,Thu 08:30-12:30``) in Morocco's time, less the days the office is closed
(OFFICE_CLOSED_DAYS: public holidays), and the next opening after a moment."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from core.settings import MOROCCO_FIXED_HOLIDAYS, TIMEZONE, SettingsError

__all__ = ["MOROCCO_FIXED_HOLIDAYS", "OfficeHours", "closed_days", "parse"]

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The longest run of closed days looked through for the next opening.
_HORIZON_DAYS: Final = 60
_HOURS_RE: Final = re.compile(
    r"^\s*(?P<days>[A-Za-z,\- ]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)


@dataclass(frozen=True)
class OfficeHours:
    """Days of the week (0 = Monday) and the opening and closing times on each."""

    days: frozenset[int]
    start: time
    end: time
    #: Closed days: "MM-DD" every year, "YYYY-MM-DD" once.
    closed: frozenset[str] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """An open weekday that is not a closed day."""
        return (
            day.weekday() in self.days
            and f"{day:%m-%d}" not in self.closed
            and day.isoformat() not in self.closed
        )

    def is_open(self, moment: datetime) -> bool:
        """True when ``moment`` (aware) falls within office hours."""
        local = moment.astimezone(TIMEZONE)
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def next_opening(self, moment: datetime) -> datetime | None:
        """The next opening in Morocco's time, or None while the office is open."""
        if self.is_open(moment):
            return None
        local = moment.astimezone(TIMEZONE)
        for ahead in range(_HORIZON_DAYS):
            day = (local + timedelta(days=ahead)).date()
            opening = datetime.combine(day, self.start, tzinfo=TIMEZONE)
            if self.is_working_day(day) and opening > local:
                return opening
        return None  # no working day within two months


def _day(name: str) -> int:
    key = name.strip().lower()[:3]
    if key not in DAYS:
        raise SettingsError(f"OFFICE_HOURS: unknown day {name.strip()!r}")
    return DAYS.index(key)


def _time(value: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    if not (0 <= hours <= 24 and 0 <= minutes < 60):
        raise SettingsError(f"OFFICE_HOURS: {value!r} is not a time of day")
    return time(23, 59) if hours == 24 else time(hours, minutes)


def closed_days(value: str) -> frozenset[str]:
    """OFFICE_CLOSED_DAYS read ("MM-DD" or "YYYY-MM-DD", comma-separated); SettingsError when
    an entry is not a real date."""
    found: set[str] = set()
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            if len(entry) == 5:
                date.fromisoformat(f"2024-{entry}")  # a leap year: 02-29 is a date
            else:
                entry = date.fromisoformat(entry).isoformat()
        except ValueError:
            raise SettingsError(
                f"OFFICE_CLOSED_DAYS: {entry!r} is not a date (MM-DD or YYYY-MM-DD)"
            ) from None
        found.add(entry)
    return frozenset(found)


def parse(value: str, closed: str = "") -> OfficeHours:
    """OFFICE_HOURS (and OFFICE_CLOSED_DAYS) read; SettingsError when malformed."""
    found = _HOURS_RE.match(value)
    if found is None:
        raise SettingsError(f"OFFICE_HOURS must read like 'Mon-Fri 09:00-17:00', got {value!r}")
    days: set[int] = set()
    for part in found.group("days").split(","):
        if "-" in part:
            first, last = (_day(name) for name in part.split("-", 1))
            days.update(
                range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            )
        else:
            days.add(_day(part))
    start, end = _time(found.group("start")), _time(found.group("end"))
    if start >= end:
        raise SettingsError(f"OFFICE_HOURS: the office must open before it closes ({value!r})")
    return OfficeHours(frozenset(days), start, end, closed_days(closed))
