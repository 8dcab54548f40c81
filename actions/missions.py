"""Upcoming missions, fairs and forums: the filtered list and one event's details."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.asmex import PAST_ONLY, named_past_event, read_facts, utter_past_detail
from actions.common import reply_language, slot_before_latest_message
from actions.event_search import (
    FILTER_ENTITIES,
    MAX_LISTED,
    Resolution,
    all_events,
    latest_entities,
    latest_text,
    names_a_kind_of_event,
    resolve_message,
    search_missions,
)
from actions.ics import ics_payload
from core import clock
from kb import display
from kb.access import DatabaseUnavailable, run_db
from kb.views import EventView
from nlu.vocabulary.areas import request_area
from nlu.vocabulary.event_details import asked_detail
from nlu.vocabulary.periods import period_from_text

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


def utter_event_item(dispatcher: CollectingDispatcher, event: EventView, lang: str) -> None:
    """One event of a list with its details button, and a register button only while it takes
    registrations (a closed, started or past event says so instead)."""
    closed = not event.registration_open
    if event.past:
        response = "utter_missions_item_past"
    elif event.sample:
        response = "utter_missions_item_sample_closed" if closed else "utter_missions_item_sample"
    else:
        response = "utter_missions_item_closed" if closed else "utter_missions_item"
    dispatcher.utter_message(response=response, **event_values(event, lang))


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


REGISTRATION_FORM = "registration_form"


def keep_form_event(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """Inside the registration form, a question about another event ("and the fees of the
    Dakar fair?", its button) is answered, but the form goes on with the event it was filling
    in: the answer's event, and a button's entity already taken as the slot, are set back."""
    if tracker.active_loop_name != REGISTRATION_FORM:
        return events
    form_event = slot_before_latest_message(tracker, "event_slug")
    if form_event is None:
        return events  # the form still asks which event: the message may be the answer
    kept = [e for e in events if not (e.get("event") == "slot" and e.get("name") == "event_slug")]
    if tracker.get_slot("event_slug") != form_event or len(kept) != len(events):
        kept.append(SlotSet("event_slug", form_event))
    return kept


class ActionMissionDetails(Action):
    """Details of one event (named, or picked from the last list) with its .ics file; inside
    the registration form, the form's own event stays (``keep_form_event``)."""

    def name(self) -> str:
        return "action_mission_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return keep_form_event(tracker, await self._answer(dispatcher, tracker))

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        lang = reply_language(tracker)
        try:
            events = await run_db(all_events, today=clock.today())
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []

        facts = await read_facts()
        text = latest_text(tracker)
        detail = asked_detail(text)
        resolution = resolve_message(tracker, events)
        entities = latest_entities(tracker)
        named = named_past_event(facts, events, entities, text, detail)
        upcoming = resolution.event is not None or bool(resolution.candidates)
        if named is not None and (
            entities.get("event_type") or detail in PAST_ONLY or not upcoming
        ):
            # "qui a conduit la délégation du Mississippi ?": the event asmex.yml names (an
            # upcoming event named the same way wins for its date, place or sectors).
            resolution = Resolution(event=named, referenced=True)
        if not resolution.referenced and tracker.get_slot("event_slug"):
            # "combien ça coûte ?" right after an event was shown: that event.
            remembered = {e.slug: e for e in events}.get(tracker.get_slot("event_slug"))
            resolution = Resolution(event=remembered, referenced=True)

        if resolution.event is not None:
            if resolution.event.past and detail:
                utter_past_detail(dispatcher, facts, resolution.event, detail, lang)
                return [SlotSet("event_slug", resolution.event.slug)]
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
            if detail:
                utter_past_detail(dispatcher, facts, event, detail, lang)
            else:
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
            "utter_mission_details" if event.registration_open else "utter_mission_details_closed"
        )
        dispatcher.utter_message(response=response, **values)
        if event.sample:
            dispatcher.utter_message(response="utter_mission_sample_notice")
        dispatcher.utter_message(response="utter_mission_calendar", **values)
        dispatcher.utter_message(json_message=ics_payload(event, lang))
        return [SlotSet("event_slug", event.slug)]
