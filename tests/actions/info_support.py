"""Helpers for the tests of issue #4's information actions (markets, services, alerts,
handoff, privacy, fallback): a knowledge-base database, trackers, running an action, and
rendering its messages with Rasa's own response generator on the merged domain."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.db.kb_loader import load_kb
from actions.db.migrate import upgrade_to_head
from actions.db.session import make_engine

ROOT = Path(__file__).resolve().parents[2]
#: "Today" of these tests (the conventions of issue #4).
TODAY = "2026-11-22"


@pytest.fixture(scope="session")
def kb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head with the real knowledge base (data/kb), built once."""
    path = tmp_path_factory.mktemp("kb") / "kb.db"
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        load_kb(session)
    engine.dispose()
    return path


@pytest.fixture()
def kb(kb_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh copy of the knowledge-base database, used by the actions (DATABASE_URL)."""
    path = tmp_path / "kb.db"
    shutil.copy(kb_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ASMEX_TODAY", TODAY)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture()
def db_down(kb: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """DATABASE_URL points at a database that cannot be opened (set after ``kb``)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing-dir/kb.db")
    monkeypatch.setenv("ASMEX_TODAY", TODAY)


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
def merged_domain() -> Any:
    """The project's domain.yml, as Rasa loads it."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


def domain_dict() -> dict[str, Any]:
    """The merged domain as the action server receives it."""
    return merged_domain().as_dict()


def render(messages: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """What Rasa sends the user for each message (text and buttons), in ``lang``."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = merged_domain()
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
