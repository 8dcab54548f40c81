"""What the information actions share: entity values, and knowledge-base views turned into
the values of response templates in the reply language.

Sentences live in the domain's responses; this module only renders lists, names and dates
(bullets, events, procedures, source titles) that fill them; names and dates come from
actions.display.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import display
from actions.canonical import is_country
from actions.db.repositories import EventView, ProcedureView

logger = logging.getLogger(__name__)

#: What a template gets for an empty list (language-neutral).
NONE = "—"
BULLET = "• "


def joined(items: Iterable[str], lang: str) -> str:
    """Items separated by commas (the Arabic comma in Arabic), or NONE."""
    items = [i for i in items if i]
    return ("، " if lang == "ar" else ", ").join(items) if items else NONE


def bullets(lines: Iterable[str]) -> str:
    """One bulleted line per item, or NONE."""
    lines = [line for line in lines if line]
    return "\n".join(BULLET + line for line in lines) if lines else NONE


def numbered(lines: Sequence[str]) -> str:
    """1. 2. 3. lines."""
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def link_lines(urls: Iterable[str | None]) -> str:
    """Each distinct URL on its own line after a newline, or "" (the template has no gap)."""
    distinct = list(dict.fromkeys(u for u in urls if u))
    return "".join(f"\n🔗 {u}" for u in distinct)


def sector_names(codes: Iterable[str], lang: str) -> str:
    """Sector names in the reply language, or NONE (not "all sectors": the sources name none)."""
    return joined((display.sector_name(c, lang) for c in codes), lang)


def sources_line(titles: Sequence[str]) -> str:
    """Source titles separated by semicolons, or NONE."""
    return " ; ".join(f"« {t} »" for t in titles) if titles else NONE


def event_lines(events: Sequence[EventView], lang: str) -> str:
    """One bullet per event; sample (invented) events end with an asterisk the response explains."""
    lines = []
    for event in events:
        where = display.place(event.city, None, event.type, lang)
        when = display.format_period(event.start_date, event.end_date, lang)
        mark = " *" if event.sample else ""
        lines.append(f"{event.title.get(lang)} ({where}{', ' if where else ''}{when}){mark}")
    return bullets(lines)


def payload(intent: str, **entities: str) -> str:
    """A button payload: ``/intent{"entity": "value"}``."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def event_buttons(events: Sequence[EventView], lang: str) -> list[dict[str, str]]:
    """A details button per event."""
    return [
        {
            "title": _short(event.title.get(lang)),
            "payload": payload("ask_mission_details", event_slug=event.slug),
        }
        for event in events
    ]


def procedure_block(
    procedure: ProcedureView, lang: str, *, summary: bool = True, link: bool = True
) -> str:
    """A procedure: its title, summary and numbered steps, and its link."""
    parts = [procedure.title.get(lang)]
    if summary:
        parts.append(procedure.summary.get(lang))
    if procedure.steps:
        parts.append(numbered([step.get(lang) for step in procedure.steps]))
    return "\n".join(parts) + (link_lines([procedure.url]) if link else "")


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Distinct values of one entity in the latest user message, in order."""
    values = [
        str(e["value"])
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == entity and e.get("value") not in (None, "")
    ]
    return list(dict.fromkeys(values))


async def canonical_countries(values: Sequence[str]) -> list[str]:
    """ISO codes for country entity values; a loose name goes through the gazetteer.

    Values the gazetteer does not know are returned as they are (the caller may look them up
    among the markets' names). The gazetteer is built off the event loop on first use.
    """
    result: list[str] = []
    for value in values:
        if len(value) == 2 and value.isupper() and is_country(value):
            result.append(value)
            continue
        loop = asyncio.get_running_loop()
        code = await loop.run_in_executor(None, _gazetteer_country, value)
        result.append(code or value)
    return list(dict.fromkeys(result))


def _gazetteer_country(surface: str) -> str | None:
    from nlu.gazetteer import load_gazetteer

    return load_gazetteer().lookup("country", surface)


async def canonical_region(value: str) -> str | None:
    """A region code for a region entity value (a code, a region name or a city)."""
    from actions.canonical import is_region

    if is_region(value):
        return value
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, _gazetteer_region, value)


def _gazetteer_region(surface: str) -> str | None:
    from nlu.gazetteer import load_gazetteer

    return load_gazetteer().lookup("region", surface)


def apologise(dispatcher: CollectingDispatcher, action: str) -> list[EventType]:
    """The polite "please try again" when the database failed (run_db logged the cause)."""
    logger.warning("%s answered 'try again': the knowledge base is unavailable", action)
    dispatcher.utter_message(response="utter_db_unavailable")
    return []
