"""What every action shares: the user's language and identity, entity values, apologies,
and asking which one (a button per choice)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any, Final

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from core.identity import split_conversation_id
from kb.display import payload
from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES, is_country, is_region
from nlu.vocabulary.gazetteer import load_gazetteer

logger = logging.getLogger(__name__)

#: Slot naming what the assistant asked for last ("market", "agreement", "region"), so that a
#: bare answer goes back to the action that asked (actions/followup.py).
AWAITING: Final = "awaiting_answer"


def reply_language(tracker: Tracker) -> str:
    """The language replies to this user are written in."""
    value = tracker.get_slot("language")
    return value if value in REPLY_LANGUAGES else DEFAULT_LANGUAGE


def channel_identity(tracker: Tracker) -> tuple[str, str]:
    """(channel, user id on that channel) of the conversation: the parts of its id
    (``telegram:12345``, core.identity); an id without a channel's prefix is that user's id
    on the channel of the latest message."""
    return split_conversation_id(tracker.sender_id) or (
        tracker.get_latest_input_channel() or "unknown",
        tracker.sender_id,
    )


def latest_user_metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata the channel attached to the latest user message (e.g. language_hint)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata") or {}
            return metadata if isinstance(metadata, dict) else {}
    return {}


def slot_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message was read (its extraction included)."""
    read = False
    for event in reversed(tracker.events):
        if not read:
            read = event.get("event") == "user"
        elif event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


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
    return load_gazetteer().lookup("country", surface)


async def canonical_region(value: str) -> str | None:
    """A region code for a region entity value (a code, a region name or a city)."""
    if is_region(value):
        return value
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, _gazetteer_region, value)


def _gazetteer_region(surface: str) -> str | None:
    return load_gazetteer().lookup("region", surface)


def apologise(dispatcher: CollectingDispatcher, action: str) -> list[EventType]:
    """The polite "please try again" when the database failed (run_db logged the cause)."""
    logger.warning("%s answered 'try again': the knowledge base is unavailable", action)
    dispatcher.utter_message(response="utter_db_unavailable")
    return []


def ask_which(
    dispatcher: CollectingDispatcher,
    response: str,
    *,
    awaiting: str,
    intent: str,
    choices: Iterable[tuple[str, dict[str, str]]],
) -> list[EventType]:
    """Ask which one with ``response``, a button per (title, entities of ``intent``), and
    remember in AWAITING that the answer is ``awaiting``."""
    buttons = [
        {"title": title, "payload": payload(intent, **entities)} for title, entities in choices
    ]
    dispatcher.utter_message(response=response, buttons=buttons)
    return [SlotSet(AWAITING, awaiting)]
