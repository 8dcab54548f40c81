"""Helpers for the tests of issue #4's information actions (markets, services, alerts,
handoff, privacy, fallback): a knowledge-base database, trackers, running an action, and
rendering its messages with Rasa's own response generator on the project domain."""

from __future__ import annotations

import asyncio
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]
#: "Today" of these tests (the conventions of issue #4).
TODAY = "2026-11-22"


def tracker(
    *,
    intent: str = "ask_market",
    text: str = "x",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    lang: str = "fr",
    sender: str = "user-1",
    history: list[tuple[str, str]] | None = None,
    intent_ranking: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest message has this intent, text and entities.

    ``history``: earlier user messages as (text, intent), oldest first.
    """
    latest: dict[str, Any] = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "text": text,
    }
    if intent_ranking is not None:
        latest["intent_ranking"] = intent_ranking
    events: list[dict[str, Any]] = []
    for old_text, old_intent in history or []:
        events.append(
            {
                "event": "user",
                "text": old_text,
                "parse_data": {"intent": {"name": old_intent}, "entities": [], "text": old_text},
                "input_channel": "rest",
            }
        )
        events.append({"event": "bot", "text": "..."})
    events.append({"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"})
    all_slots = {"language": lang, **(slots or {})}
    return Tracker(sender, all_slots, latest, events, False, None, {}, "action_listen")


def entity(name: str, value: str) -> dict[str, Any]:
    """An entity of the latest message."""
    return {"entity": name, "value": value}


async def run(
    action: Action, t: Tracker, domain: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(messages sent, events returned) of one run of ``action``."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain or {})
    return dispatcher.messages, events


def responses(messages: list[dict[str, Any]]) -> list[str]:
    """The response names of the messages, in order."""
    return [m["response"] for m in messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Slots set by the events."""
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


# --- rendering with Rasa (the project domain, as Rasa loads it) -----------------------------


@lru_cache(maxsize=1)
def project_domain() -> Any:
    """The project's domain.yml, as Rasa loads it."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


def domain_dict() -> dict[str, Any]:
    """The domain as the action server receives it."""
    return project_domain().as_dict()


def render(messages: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """What Rasa sends the user for each message (text and buttons), in ``lang``."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = project_domain()
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    rasa_tracker = DialogueStateTracker.from_events(
        "render", [SlotSet("language", lang)], slots=domain.slots
    )

    async def one(message: dict[str, Any]) -> dict[str, Any]:
        values = {
            k: v
            for k, v in message.items()
            if k not in ("response", "buttons", "text", "elements", "attachment", "image")
            and v is not None
        }
        values.update(message.get("custom") or {})
        draft = await nlg.generate(message["response"], rasa_tracker, "rest", **values)
        assert draft is not None, f"no response {message['response']} in the domain"
        draft = dict(draft)
        draft["buttons"] = list(draft.get("buttons") or []) + list(message.get("buttons") or [])
        return draft

    async def all_of() -> list[dict[str, Any]]:
        return [await one(m) for m in messages]

    return _run(all_of())


def _run(coro: Any) -> Any:
    """Run a coroutine from sync or async test code."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def assert_rendered(messages: list[dict[str, Any]], lang: str) -> list[str]:
    """Render the messages; every placeholder must be filled. Returns the texts."""
    texts = []
    for draft in render(messages, lang):
        text = draft.get("text") or ""
        assert "{" not in text and "}" not in text, text
        for button in draft["buttons"]:
            assert button["title"] and button["payload"].startswith("/"), button
        texts.append(text)
    return texts
