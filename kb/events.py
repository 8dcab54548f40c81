"""Events (trade missions, fairs, forums, webinars, delegations): upsert, look up, list, search,
close and cancel."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kb.models import Event
from kb.views import EventInput, EventUpsert, EventView, NotFoundError, Texts, view_of
from nlu.vocabulary.canonical import REPLY_LANGUAGES


def event_view(row: Event, today: date) -> EventView:
    """The view of an event row as seen on ``today``."""
    return view_of(
        EventView,
        row,
        title=Texts.of(row, "title"),
        description=Texts.of_optional(row, "description"),
        sectors=tuple(row.sectors or ()),
        sample=bool(row.sample),
        today=today,
    )


def event_row(session: Session, *, slug: str) -> Event | None:
    """The event row with this slug, or None."""
    return session.scalars(select(Event).where(Event.slug == slug)).one_or_none()


def _event_columns(event: EventInput) -> dict[str, Any]:
    description = event.description
    values = event.plain_values()
    for lang in REPLY_LANGUAGES:
        values[f"title_{lang}"] = getattr(event.title, lang)
        values[f"description_{lang}"] = getattr(description, lang) if description else None
    if event.status is not None:
        values["status"] = event.status
    if event.sample is not None:
        values["sample"] = event.sample
    if event.source_id is not None:
        values["source_id"] = event.source_id
    return values


def upsert_event(session: Session, *, event: EventInput) -> EventUpsert:
    """Create the event or update it in place by slug; reports created/updated/unchanged."""
    values = _event_columns(event)
    row = event_row(session, slug=event.slug)
    if row is None:
        session.add(Event(slug=event.slug, **values))
        session.flush()
        return EventUpsert(slug=event.slug, action="created")
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return EventUpsert(slug=event.slug, action="unchanged")
    for key, value in changed.items():
        setattr(row, key, value)
    session.flush()
    return EventUpsert(slug=event.slug, action="updated")


def get_event_by_slug(session: Session, *, slug: str, today: date) -> EventView | None:
    """The event with this slug, or None."""
    row = event_row(session, slug=slug)
    return event_view(row, today) if row else None


def list_events(
    session: Session,
    *,
    today: date,
    country: str | None = None,
    countries: Collection[str] | None = None,
    sector: str | None = None,
    event_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    include_past: bool = False,
    include_cancelled: bool = False,
    limit: int | None = 10,
) -> list[EventView]:
    """Events matching the filters, soonest first.

    ``countries`` (a world region's) keeps the events held in one of them.
    ``date_from``/``date_to`` keep events overlapping that period; past events (ended before
    ``today``) and cancelled ones are left out unless asked for. An event with no sectors is
    open to all, so it matches every ``sector``.
    """
    query = select(Event).order_by(Event.start_date, Event.end_date, Event.slug)
    if country:
        query = query.where(Event.country == country)
    if countries is not None:
        query = query.where(Event.country.in_(sorted(countries)))
    if event_type:
        query = query.where(Event.type == event_type)
    if date_from:
        query = query.where(Event.end_date >= date_from)
    if date_to:
        query = query.where(Event.start_date <= date_to)
    if not include_past:
        query = query.where(Event.end_date >= today)
    if not include_cancelled:
        query = query.where(Event.status != "cancelled")
    rows = session.scalars(query)
    # Sectors is a JSON list: filtered here, the same way on SQLite and PostgreSQL.
    views = [
        event_view(r, today) for r in rows if not sector or not r.sectors or sector in r.sectors
    ]
    return views if limit is None else views[:limit]


def _set_status(session: Session, *, slug: str, status: str) -> tuple[Event, str]:
    row = event_row(session, slug=slug)
    if row is None:
        raise NotFoundError(f"no event with slug {slug!r}")
    before = row.status
    if before != status:
        row.status = status
        session.flush()
    return row, before


def set_event_status(session: Session, *, slug: str, status: str) -> str:
    """Set an event's status (open, closed, cancelled); its status before. Raises
    NotFoundError for an unknown slug."""
    return _set_status(session, slug=slug, status=status)[1]


def close_event(session: Session, *, slug: str, today: date) -> EventView:
    """Close registrations for an event; raises NotFoundError for an unknown slug."""
    row, _before = _set_status(session, slug=slug, status="closed")
    return event_view(row, today)


@dataclass(frozen=True)
class EventsUpserted:
    """The slugs a batch of upserts created, updated and left unchanged, in input order."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()


def upsert_events(session: Session, *, events: Iterable[EventInput]) -> EventsUpserted:
    """Upsert every event by slug (the caller commits); which were created, updated, unchanged."""
    done: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    for event in events:
        result = upsert_event(session, event=event)
        done[result.action].append(result.slug)
    return EventsUpserted(**{action: tuple(slugs) for action, slugs in done.items()})


@dataclass(frozen=True)
class EventSearch:
    """What the staff console searches events by (None: any)."""

    text: str | None = None
    country: str | None = None
    sector: str | None = None
    event_type: str | None = None
    status: str | None = None


def search_events(session: Session, *, today: date, search: EventSearch) -> list[EventView]:
    """Every event matching ``search``, past and cancelled ones included: those not ended yet
    first (soonest first), then the past ones (latest first).

    ``text`` is looked for, case-insensitively, in the slug, the three titles, the city and
    the organizer. An event with no sectors is open to all, so it matches every ``sector``.
    """
    query = select(Event)
    if search.text:
        pattern = f"%{_escape_like(search.text)}%"
        columns = (Event.slug, Event.title_fr, Event.title_ar, Event.title_en, Event.city)
        query = query.where(
            or_(*(c.ilike(pattern, escape="\\") for c in (*columns, Event.organizer)))
        )
    if search.country:
        query = query.where(Event.country == search.country)
    if search.event_type:
        query = query.where(Event.type == search.event_type)
    if search.status:
        query = query.where(Event.status == search.status)
    sector = search.sector
    views = [
        event_view(r, today)
        for r in session.scalars(query)
        if not sector or not r.sectors or sector in r.sectors
    ]
    coming = sorted((v for v in views if not v.past), key=lambda v: (v.start_date, v.slug))
    past = sorted((v for v in views if v.past), key=lambda v: (v.end_date, v.slug), reverse=True)
    return coming + past


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
