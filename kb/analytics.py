"""Figures of the console's analytics page: messages per day by channel and by language, top
intents, the share not understood (from the tracker store, through kb.conversations), and
registrations per event, handoff waiting and answer times and ratings (from the database).

Days are Morocco's (core.settings.TIMEZONE). The handoff times are measured only when the
handoffs table has the columns that record them (``TAKEN_AT``, ``ANSWERED_AT``; ``RATING``
for the ratings): the page says "not measured" otherwise.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from statistics import median
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core.settings import TIMEZONE
from kb.conversations import UserMessage, user_messages
from kb.learning import reason_for
from kb.models import Event, Registration, metadata

#: Columns of ``handoffs`` the times and ratings are read from, when the table has them.
TAKEN_AT: Final = "taken_at"
ANSWERED_AT: Final = "first_reply_at"
RATING: Final = "rating"
#: Intents shown on the page, and events.
TOP: Final = 10


@dataclass(frozen=True)
class ConversationFigures:
    """What members wrote over ``days``: counts per day (aligned with ``days``)."""

    days: tuple[date, ...]
    by_channel: Mapping[str, tuple[int, ...]]
    by_language: Mapping[str, tuple[int, ...]]
    total: int
    #: Messages the NLU read (button payloads and messages a person handled left out).
    read: int
    not_understood: int
    unsure: int
    top_intents: tuple[tuple[str, int], ...]

    @property
    def not_understood_share(self) -> float | None:
        """Share of the messages read that were not understood (None when none was read)."""
        return self.not_understood / self.read if self.read else None


@dataclass(frozen=True)
class EventRegistrations:
    """Registrations to one event, by status."""

    slug: str
    titles: Mapping[str, str]
    by_status: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class Durations:
    """Durations in minutes: how many, the median and the longest."""

    count: int
    median: float
    longest: float


@dataclass(frozen=True)
class HandoffFigures:
    """Handoffs created in the period; None for what the table does not record."""

    created: int
    waiting: Durations | None
    answer: Durations | None
    ratings: Mapping[int, int] | None


def day_range(last_day: date, days: int) -> tuple[date, ...]:
    """The ``days`` days ending with ``last_day``, oldest first."""
    return tuple(last_day - timedelta(days=n) for n in range(days - 1, -1, -1))


def start_of(day: date) -> datetime:
    """Midnight of ``day`` in Morocco, aware."""
    return datetime.combine(day, time(0), tzinfo=TIMEZONE)


def count_messages(
    messages: Iterable[UserMessage], *, days: tuple[date, ...], threshold: float
) -> ConversationFigures:
    """The figures of ``messages`` on ``days`` (messages on other days are not counted)."""
    index = {day: n for n, day in enumerate(days)}
    channels: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    languages: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    intents: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    total = read = 0
    for message in messages:
        position = index.get(datetime.fromtimestamp(message.timestamp, TIMEZONE).date())
        if position is None:
            continue
        total += 1
        channels[message.channel][position] += 1
        languages[message.language or "?"][position] += 1
        if message.is_payload or message.by_person:
            continue
        read += 1
        intents[message.intent or "?"] += 1
        reasons[reason_for(message, threshold=threshold) or "understood"] += 1
    return ConversationFigures(
        days=days,
        by_channel={name: tuple(counts) for name, counts in sorted(channels.items())},
        by_language={name: tuple(counts) for name, counts in sorted(languages.items())},
        total=total,
        read=read,
        not_understood=reasons["not_understood"],
        unsure=reasons["unsure"],
        top_intents=tuple(intents.most_common(TOP)),
    )


def conversation_figures(
    connection: Connection, *, days: tuple[date, ...], threshold: float
) -> ConversationFigures:
    """count_messages over the tracker store's messages of ``days``."""
    since = start_of(days[0]).timestamp()
    until = start_of(days[-1] + timedelta(days=1)).timestamp()
    messages = user_messages(connection, since=since, until=until)
    return count_messages(messages, days=days, threshold=threshold)


def registrations_per_event(session: Session, *, limit: int = TOP) -> list[EventRegistrations]:
    """The events with the most registrations (any status), the largest first."""
    rows = session.execute(
        select(Event.slug, Event.title_fr, Event.title_ar, Event.title_en)
        .add_columns(Registration.status, func.count(Registration.id))
        .join(Registration, Registration.event_id == Event.id)
        .group_by(Event.slug, Event.title_fr, Event.title_ar, Event.title_en, Registration.status)
    ).all()
    titles: dict[str, dict[str, str]] = {}
    statuses: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for slug, title_fr, title_ar, title_en, status, count in rows:
        titles[slug] = {"fr": title_fr, "ar": title_ar, "en": title_en}
        statuses[slug][status] = int(count)
    events = [
        EventRegistrations(slug=slug, titles=titles[slug], by_status=statuses[slug])
        for slug in titles
    ]
    events.sort(key=lambda e: (-e.total, e.slug))
    return events[:limit]


def _durations(pairs: Iterable[tuple[datetime | None, datetime | None]]) -> Durations:
    minutes = [
        (end - start).total_seconds() / 60
        for start, end in pairs
        if start is not None and end is not None and end >= start
    ]
    if not minutes:
        return Durations(count=0, median=0.0, longest=0.0)
    return Durations(count=len(minutes), median=median(minutes), longest=max(minutes))


def handoff_figures(session: Session, *, since: datetime, until: datetime) -> HandoffFigures:
    """Handoffs created from ``since`` to ``until``: how many, how long members waited for a
    person to take them and for a first reply, and their ratings (1 to 5)."""
    handoffs = metadata.tables["handoffs"]
    columns = handoffs.c
    period = (columns.created_at >= since, columns.created_at < until)
    created = int(session.scalar(select(func.count()).select_from(handoffs).where(*period)) or 0)
    waiting = answer = None
    ratings: dict[int, int] | None = None
    if TAKEN_AT in columns:
        rows = session.execute(select(columns.created_at, columns[TAKEN_AT]).where(*period))
        waiting = _durations((_aware(a), _aware(b)) for a, b in rows)
    if ANSWERED_AT in columns:
        rows = session.execute(select(columns.created_at, columns[ANSWERED_AT]).where(*period))
        answer = _durations((_aware(a), _aware(b)) for a, b in rows)
    if RATING in columns:
        rated = session.execute(
            select(columns[RATING], func.count())
            .where(*period, columns[RATING].is_not(None))
            .group_by(columns[RATING])
        )
        ratings = {int(value): int(count) for value, count in rated}
    return HandoffFigures(created=created, waiting=waiting, answer=answer, ratings=ratings)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they are UTC (kb.models.utcnow)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
