"""Finding events: the one a message refers to, and those matching a request's filters."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Final, TypedDict

from rapidfuzz import fuzz
from rasa_sdk import Tracker

from kb.events import list_events
from kb.views import EventView
from nlu.normalize import normalize_text
from nlu.vocabulary.areas import Area, read_inside_area, request_area
from nlu.vocabulary.ordinals import named_position, pick_listed

#: Events shown in one list.
MAX_LISTED: Final = 5
#: Alternatives shown when nothing matches.
MAX_ALTERNATIVES: Final = 3
FILTER_ENTITIES: Final = ("country", "sector", "event_type")


# --- reading the latest message --------------------------------------------------------------


def names_a_kind_of_event(entities: dict[str, str]) -> bool:
    """Whether the entities say which events: a country, a sector or a type of event."""
    return any(entities.get(name) for name in FILTER_ENTITIES)


def latest_entities(tracker: Tracker) -> dict[str, str]:
    """The first value of each entity in the latest message; not a country NLU read inside a
    world region's name ("fairs in Latin America" is not about the United States)."""
    found: dict[str, str] = {}
    text = tracker.latest_message.get("text")
    for entity in tracker.latest_message.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if not name or not isinstance(value, str) or not value or name in found:
            continue
        if name == "country" and read_inside_area(text, entity):
            continue
        found[name] = value
    return found


def latest_text(tracker: Tracker) -> str:
    """The text of the latest user message ('' for a button payload)."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def listed_slugs(tracker: Tracker) -> list[str]:
    """The slugs of the last list of events shown."""
    value = tracker.get_slot("listed_events")
    return [str(v) for v in value] if isinstance(value, list) else []


# --- resolving the event a message is about -------------------------------------------------

_CITY_MIN_SCORE: Final = 90


def mentions_city(text: str, city: str | None) -> bool:
    """The message names the city, loosely ("dakkar", "à Abidjan")."""
    if not city or len(city) < 4 or not text:
        return False
    return fuzz.partial_ratio(normalize_text(city), normalize_text(text)) >= _CITY_MIN_SCORE


@dataclass(frozen=True)
class Resolution:
    """What a message says about the event it means."""

    event: EventView | None = None
    candidates: tuple[EventView, ...] = ()
    past: tuple[EventView, ...] = ()
    referenced: bool = False  # the message named something (filters, ordinal, slug)


def resolve_event(
    *,
    text: str,
    entities: dict[str, str],
    listed: Sequence[str],
    events: Sequence[EventView],
) -> Resolution:
    """Find the event a message refers to among ``events`` (every known event).

    Order: an explicit slug, an ordinal into the last list shown, then the country (or else
    the world region), event type, sector and city named, matched among upcoming events (the
    last list first).
    """
    by_slug = {e.slug: e for e in events}
    slug = entities.get("event_slug")
    if slug:
        return Resolution(event=by_slug.get(slug), referenced=True)
    picked = pick_listed(listed, named_position(text))
    if picked and picked in by_slug:
        return Resolution(event=by_slug[picked], referenced=True)

    filters = {k: entities[k] for k in FILTER_ENTITIES if entities.get(k)}
    cities = {e.city for e in events if mentions_city(text, e.city)}
    area = request_area(text, filters.get("country"))
    if not filters and not cities and area is None:
        return Resolution()

    def matches(event: EventView) -> bool:
        if area is not None and event.country not in area.countries:
            return False
        if (
            filters.get("country")
            and event.country != filters["country"]
            and (not cities or event.city not in cities)
        ):
            return False
        if filters.get("event_type") and event.type != filters["event_type"]:
            return False
        if filters.get("sector") and event.sectors and filters["sector"] not in event.sectors:
            return False
        return not cities or event.city in cities or bool(filters.get("country") or area)

    current = [e for e in events if not e.past and e.status != "cancelled" and matches(e)]
    in_list = [e for e in current if e.slug in listed]
    found = in_list or current
    if len(found) == 1:
        return Resolution(event=found[0], referenced=True)
    if found:
        return Resolution(candidates=tuple(found), referenced=True)
    past = sorted((e for e in events if matches(e)), key=lambda e: e.start_date, reverse=True)
    return Resolution(past=tuple(past), referenced=True)


def resolve_message(tracker: Tracker, events: Sequence[EventView]) -> Resolution:
    """The event the latest message refers to among ``events`` (see resolve_event)."""
    return resolve_event(
        text=latest_text(tracker),
        entities=latest_entities(tracker),
        listed=listed_slugs(tracker),
        events=events,
    )


# --- database work ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MissionSearch:
    """Events found for a request, and what to show when none matched."""

    found: list[EventView]
    past: list[EventView] = field(default_factory=list)
    alternatives: list[EventView] = field(default_factory=list)


class _Filters(TypedDict, total=False):
    """Filters of list_events; one left out (or None) matches any event."""

    country: str | None
    countries: Collection[str] | None
    sector: str | None
    event_type: str | None


def search_missions(
    session: Any,
    *,
    today: date,
    country: str | None,
    sector: str | None,
    event_type: str | None,
    period: tuple[date, date] | None,
    area: Area | None = None,
) -> MissionSearch:
    """Upcoming events for the filters; else the past ones they match and the nearest others.

    ``area``: a world region's countries, in place of one ``country``."""
    date_from, date_to = period or (None, None)
    place = _Filters(country=country, countries=area.countries if area else None)
    wanted: _Filters = {**place, "sector": sector, "event_type": event_type}
    in_period = partial(
        list_events, session, today=today, date_from=date_from, date_to=date_to, **wanted
    )
    found = in_period(limit=MAX_LISTED)
    if found:
        return MissionSearch(found=found)
    past = sorted(
        (e for e in in_period(include_past=True, limit=None) if e.past),
        key=lambda e: e.start_date,
        reverse=True,
    )
    # Nearest alternatives: drop the period, then type and sector, then every filter.
    alternatives: list[EventView] = []
    for kept in (wanted, place, _Filters(sector=sector), _Filters()):
        alternatives = list_events(session, today=today, limit=MAX_ALTERNATIVES, **kept)
        if alternatives:
            break
    return MissionSearch(found=[], past=past[:MAX_ALTERNATIVES], alternatives=alternatives)


def all_events(session: Any, *, today: date) -> list[EventView]:
    """Every event, past and cancelled included (for resolving references)."""
    return list_events(session, today=today, include_past=True, include_cancelled=True, limit=None)
