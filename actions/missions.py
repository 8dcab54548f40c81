"""Upcoming missions, fairs and forums: the filtered list, one event's details and its .ics."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from rapidfuzz import fuzz
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import reply_language
from core import clock
from kb import display
from kb import repositories as repo
from kb.access import DatabaseUnavailable, run_db
from kb.repositories import EventView
from nlu.normalize import normalize_text
from nlu.vocabulary.areas import Area, read_inside_area, request_area
from nlu.vocabulary.ordinals import ordinal_from_text, pick_listed
from nlu.vocabulary.periods import period_from_text

logger = logging.getLogger(__name__)

#: Events shown in one list.
MAX_LISTED: Final = 5
#: Alternatives shown when nothing matches.
MAX_ALTERNATIVES: Final = 3
FILTER_ENTITIES: Final = ("country", "sector", "event_type")


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
    picked = pick_listed(listed, ordinal_from_text(text))
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


# --- values for responses --------------------------------------------------------------------


def event_values(event: EventView, lang: str) -> dict[str, Any]:
    """Placeholders of the mission responses, rendered in the reply language."""
    description = event.description.get(lang) if event.description else None
    return {
        "slug": event.slug,
        "title": event.title.get(lang),
        "type": display.event_type_name(event.type, lang),
        "dates": display.format_period(event.start_date, event.end_date, lang),
        "place": display.place(event.city, event.country, event.type, lang),
        "venue": display.optional_text(event.venue, lang),
        "description": display.optional_text(description, lang),
        "sectors": display.sector_names(event.sectors, lang),
        "fee": display.fee(event.fee_mad, lang),
        "deadline": display.optional_date(event.registration_deadline, lang),
        "link": display.optional_text(event.registration_url, lang),
    }


def event_button(event: EventView, lang: str, intent: str) -> dict[str, str]:
    """A button naming the event (title and dates) whose payload carries its slug."""
    dates = display.format_period(event.start_date, event.end_date, lang)
    payload = json.dumps({"event_slug": event.slug})
    return {"title": f"{event.title.get(lang)} ({dates})", "payload": f"/{intent}{payload}"}


def build_ics(event: EventView, lang: str, *, stamp: datetime | None = None) -> str:
    """An iCalendar file with the event as an all-day VEVENT."""
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    calendar = Calendar()
    calendar.add("prodid", "-//ASMEX//Export assistant//FR")
    calendar.add("version", "2.0")
    vevent = IcsEvent()
    vevent.add("uid", f"{event.slug}@asmex.org")
    vevent.add("dtstamp", stamp or datetime.combine(event.today, time(0, 0)))
    vevent.add("dtstart", event.start_date)
    vevent.add("dtend", event.end_date + timedelta(days=1))  # DTEND of a date is exclusive
    vevent.add("summary", event.title.get(lang))
    vevent.add("location", display.place(event.city, event.country, event.type, lang))
    description = event.description.get(lang) if event.description else ""
    if event.registration_url:
        description = f"{description}\n{event.registration_url}".strip()
        vevent.add("url", event.registration_url)
    if description:
        vevent.add("description", description)
    calendar.add_component(vevent)
    return calendar.to_ical().decode("utf-8")


def ics_payload(event: EventView, lang: str) -> dict[str, str]:
    """The custom message channels turn into a calendar file."""
    return {
        "type": "ics",
        "filename": f"{event.slug}.ics",
        "mime_type": "text/calendar",
        "content": build_ics(event, lang),
    }


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


def utter_event_item(dispatcher: CollectingDispatcher, event: EventView, lang: str) -> None:
    """One event of a list, with its details and register buttons."""
    if event.past:
        response = "utter_missions_item_past"
    elif event.sample:
        response = "utter_missions_item_sample"
    else:
        response = "utter_missions_item"
    dispatcher.utter_message(response=response, **event_values(event, lang))


# --- database work ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MissionSearch:
    """Events found for a request, and what to show when none matched."""

    found: list[EventView]
    past: list[EventView] = field(default_factory=list)
    alternatives: list[EventView] = field(default_factory=list)


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
    countries = area.countries if area else None
    found = repo.list_events(
        session,
        today=today,
        country=country,
        countries=countries,
        sector=sector,
        event_type=event_type,
        date_from=date_from,
        date_to=date_to,
        limit=MAX_LISTED,
    )
    if found:
        return MissionSearch(found=found)
    matching = repo.list_events(
        session,
        today=today,
        country=country,
        countries=countries,
        sector=sector,
        event_type=event_type,
        date_from=date_from,
        date_to=date_to,
        include_past=True,
        limit=None,
    )
    past = sorted((e for e in matching if e.past), key=lambda e: e.start_date, reverse=True)
    # Nearest alternatives: drop the period, then type and sector, then every filter.
    relaxed: list[tuple[str | None, Collection[str] | None, str | None, str | None]] = [
        (country, countries, sector, event_type),
        (country, countries, None, None),
        (None, None, sector, None),
        (None, None, None, None),
    ]
    alternatives: list[EventView] = []
    for relaxed_country, relaxed_countries, relaxed_sector, relaxed_type in relaxed:
        alternatives = repo.list_events(
            session,
            today=today,
            country=relaxed_country,
            countries=relaxed_countries,
            sector=relaxed_sector,
            event_type=relaxed_type,
            limit=MAX_ALTERNATIVES,
        )
        if alternatives:
            break
    return MissionSearch(found=[], past=past[:MAX_ALTERNATIVES], alternatives=alternatives)


def all_events(session: Any, *, today: date) -> list[EventView]:
    """Every event, past and cancelled included (for resolving references)."""
    return repo.list_events(
        session, today=today, include_past=True, include_cancelled=True, limit=None
    )


# --- actions ---------------------------------------------------------------------------------


class ActionListMissions(Action):
    """List upcoming events matching the country, sector, type and period asked for."""

    def name(self) -> str:
        return "action_list_missions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        entities = latest_entities(tracker)
        today = clock.today()
        text = latest_text(tracker)
        period = period_from_text(text, today)
        filters = {k: entities.get(k) for k in FILTER_ENTITIES}
        area = request_area(text, filters["country"])
        try:
            result = await run_db(search_missions, today=today, period=period, area=area, **filters)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []

        if result.found:
            dispatcher.utter_message(response="utter_missions_found", count=len(result.found))
            for event in result.found:
                utter_event_item(dispatcher, event, lang)
            return [SlotSet("listed_events", [e.slug for e in result.found])]

        if result.past:
            dispatcher.utter_message(response="utter_missions_past_only")
            for event in result.past:
                utter_event_item(dispatcher, event, lang)
        else:
            dispatcher.utter_message(response="utter_missions_none")
        if result.alternatives:
            dispatcher.utter_message(response="utter_missions_alternatives")
            for event in result.alternatives:
                utter_event_item(dispatcher, event, lang)
        alert_filters = {k: v for k, v in filters.items() if v}
        dispatcher.utter_message(
            response="utter_missions_offer_alerts",
            alert_filters=json.dumps(alert_filters) if alert_filters else "",
        )
        shown = result.past + result.alternatives
        return [SlotSet("listed_events", [e.slug for e in shown])]


class ActionDontKnow(Action):
    """ "Je sais pas" outside a form. When it names the kind of event, the country or the sector
    ("je ne sais pas quelle mission choisir", "ما عرفتش شمن بعثة نختار", "which fair to pick, no
    idea"), the events to choose from, as action_list_missions lists them; otherwise the menu."""

    def name(self) -> str:
        return "action_dont_know"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if names_a_kind_of_event(latest_entities(tracker)):
            return await ActionListMissions().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_help")
        return []


class ActionMissionDetails(Action):
    """Details of one event (named, or picked from the last list) with its .ics file."""

    def name(self) -> str:
        return "action_mission_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        today = clock.today()
        listed = listed_slugs(tracker)
        try:
            events = await run_db(all_events, today=today)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []

        resolution = resolve_event(
            text=latest_text(tracker),
            entities=latest_entities(tracker),
            listed=listed,
            events=events,
        )
        if not resolution.referenced and tracker.get_slot("event_slug"):
            # "combien ça coûte ?" right after an event was shown: that event.
            remembered = {e.slug: e for e in events}.get(tracker.get_slot("event_slug"))
            resolution = Resolution(event=remembered, referenced=True)

        if resolution.event is not None:
            return self._details(dispatcher, resolution.event, lang)
        if resolution.candidates:
            dispatcher.utter_message(
                response="utter_mission_which",
                buttons=[
                    event_button(e, lang, "ask_mission_details")
                    for e in resolution.candidates[:MAX_LISTED]
                ],
            )
            return [SlotSet("listed_events", [e.slug for e in resolution.candidates[:MAX_LISTED]])]
        if resolution.past:
            event = resolution.past[0]
            dispatcher.utter_message(response="utter_mission_past", **event_values(event, lang))
            return [SlotSet("event_slug", event.slug)]
        dispatcher.utter_message(response="utter_mission_not_found")
        return []

    @staticmethod
    def _details(dispatcher: CollectingDispatcher, event: EventView, lang: str) -> list[EventType]:
        values = event_values(event, lang)
        if event.status == "cancelled":
            dispatcher.utter_message(response="utter_mission_cancelled", **values)
            return [SlotSet("event_slug", event.slug)]
        if event.past:
            dispatcher.utter_message(response="utter_mission_past", **values)
            return [SlotSet("event_slug", event.slug)]
        response = (
            "utter_mission_details" if event.registration_open else ("utter_mission_details_closed")
        )
        dispatcher.utter_message(response=response, **values)
        if event.sample:
            dispatcher.utter_message(response="utter_mission_sample_notice")
        dispatcher.utter_message(response="utter_mission_calendar", **values)
        dispatcher.utter_message(json_message=ics_payload(event, lang))
        return [SlotSet("event_slug", event.slug)]
