"""ASMEX itself (who leads it, its delegates, partnerships, positions, delegations received),
and the asked detail of a past event: answers from data/kb/asmex.yml with source and date."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import reply_language
from actions.event_search import all_events, latest_entities, latest_text
from core import clock
from kb import display
from kb.access import DatabaseUnavailable, run_db
from kb.facts import AsmexFacts, EventDetails, Fact, SourceRef, load_facts
from kb.files.kb_schema import KBError
from kb.views import EventView
from nlu.vocabulary.event_details import asked_detail

logger = logging.getLogger(__name__)

#: Details only a past event has (who led it, who came, what was agreed).
PAST_ONLY: Final = ("led_by", "participants", "outcomes")
#: Facts given when a question about ASMEX matches none: what it is and who leads it.
OVERVIEW: Final = ("asmex-identity", "asmex-president")


async def read_facts() -> AsmexFacts | None:
    """The facts of asmex.yml, read off the event loop; None (logged) when the file is broken."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(None, load_facts)
    except (KBError, OSError) as exc:
        logger.error("asmex.yml cannot be read: %s", exc)
        return None


def source_label(source: SourceRef, lang: str) -> str:
    """ "« title » (publisher, date) url", as far as the source gives them."""
    extra = [
        p
        for p in (
            source.publisher,
            source.published and display.format_date(source.published, lang),
        )
        if p
    ]
    label = f"« {source.title} »" + (f" ({', '.join(extra)})" if extra else "")
    return f"{label} {source.url}" if source.url else label


def utter_fact(dispatcher: CollectingDispatcher, fact: Fact, lang: str) -> None:
    """One fact with its source and date."""
    dispatcher.utter_message(
        response="utter_asmex_fact",
        fact=fact.text[lang],
        source=source_label(fact.source, lang),
        date=display.format_date(fact.date, lang),
    )


class ActionAsmex(Action):
    """Answer a question about ASMEX with the facts it asks for; else say so and give the
    overview (what ASMEX is, who leads it)."""

    def name(self) -> str:
        return "action_asmex"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        facts = await read_facts()
        if facts is None:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []
        text = latest_text(tracker)
        detail = asked_detail(text)
        if detail in PAST_ONLY:
            # "qui a dirigé la délégation américaine reçue par l'ASMEX ?": that event's detail.
            event = await _named_event(facts, tracker, text, detail)
            if event is not None:
                utter_past_detail(dispatcher, facts, event, detail, lang)
                return [SlotSet("event_slug", event.slug)]
        found = facts.matching(text)
        if not found:
            dispatcher.utter_message(response="utter_asmex_unknown")
            found = [f for f in map(facts.fact, OVERVIEW) if f is not None]
        for fact in found:
            utter_fact(dispatcher, fact, lang)
        return []


async def _named_event(
    facts: AsmexFacts, tracker: Tracker, text: str, detail: str | None
) -> EventView | None:
    """The past event a question about ASMEX names, if any (None when the database fails)."""
    try:
        events = await run_db(all_events, today=clock.today())
    except DatabaseUnavailable:
        return None
    return named_past_event(facts, events, latest_entities(tracker), text, detail)


# --- the asked detail of a past event (used by action_mission_details) ------------------------


def detail_value(
    event: EventView, details: EventDetails | None, detail: str, lang: str
) -> str | None:
    """The value of ``detail`` for the event in ``lang``; None when the sources do not say."""
    if detail == "date":
        return display.format_period(event.start_date, event.end_date, lang)
    if detail == "place":
        return display.place(event.city, event.country, event.type, lang)
    if detail == "sectors":
        return display.sector_names(event.sectors, lang) if event.sectors else None
    texts = getattr(details, detail) if details is not None else None
    return texts[lang] if texts else None


def utter_past_detail(
    dispatcher: CollectingDispatcher,
    facts: AsmexFacts | None,
    event: EventView,
    detail: str,
    lang: str,
) -> None:
    """The asked detail first (or plainly that the sources lack it), then what is known of the
    event: dates, place, description and source."""
    values = past_event_values(event, lang)
    details = facts.details(event.slug) if facts is not None else None
    value = detail_value(event, details, detail, lang)
    if value is None:
        dispatcher.utter_message(response=f"utter_mission_detail_missing_{detail}", **values)
    else:
        dispatcher.utter_message(response=f"utter_mission_detail_{detail}", value=value)
    source = facts.sources.get(event.source_id or "") if facts is not None else None
    values["source"] = source_label(source, lang) if source else display.optional_text(None, lang)
    dispatcher.utter_message(response="utter_mission_past_facts", **values)


def past_event_values(event: EventView, lang: str) -> dict[str, Any]:
    """Placeholders of utter_mission_past_facts and the detail responses."""
    description = event.description.get(lang) if event.description else None
    return {
        "title": event.title.get(lang),
        "type": display.event_type_name(event.type, lang),
        "dates": display.format_period(event.start_date, event.end_date, lang),
        "place": display.place(event.city, event.country, event.type, lang),
        "description": display.optional_text(description, lang),
    }


def named_past_event(
    facts: AsmexFacts | None,
    events: list[EventView],
    entities: dict[str, str],
    text: str,
    detail: str | None,
) -> EventView | None:
    """The event of asmex.yml a question names ("la délégation du Mississippi", "HKTDC") or,
    for a delegation or who led / who came, the delegation from the country named; one of
    another type than the one asked is left out."""
    if facts is None:
        return None
    wanted = entities.get("event_type")
    found = facts.named_in(text)
    if not found and (wanted == "delegation" or detail in PAST_ONLY):
        found = facts.from_country(entities.get("country"))
    by_slug = {e.slug: e for e in events}
    for details in found:
        event = by_slug.get(details.slug)
        if event is not None and (not wanted or event.type == wanted):
            return event
    return None
