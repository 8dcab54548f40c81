"""action_set_language: detection, explicit choice, persistence, hints, database down."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.db import repositories as repo
from actions.language import ActionSetLanguage, language_from_detection, language_from_hint


def tracker(
    *,
    language: str | None = None,
    script: str | None = None,
    confidence: float = 0.9,
    intent: str = "greet",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    sender: str = "user-1",
) -> Tracker:
    latest: dict[str, Any] = {"intent": {"name": intent}, "entities": entities or [], "text": "x"}
    if language:
        latest.update(language=language, language_script=script, language_confidence=confidence)
    events = [
        {
            "event": "user",
            "text": "x",
            "parse_data": latest,
            "input_channel": "rest",
            "metadata": metadata or {},
        }
    ]
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


async def run(t: Tracker) -> dict[str, Any]:
    events = await ActionSetLanguage().run(CollectingDispatcher(), t, {})
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.fixture()
def database(monkeypatch: pytest.MonkeyPatch, engine: Engine, db_url: str) -> Engine:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return engine


@pytest.mark.parametrize(
    ("variety", "script", "expected"),
    [
        ("fr", "latin", "fr"),
        ("en", "latin", "en"),
        ("ar", "arab", "ar"),
        ("ary", "arab", "ar"),
        ("ary", "latin", "fr"),
        (None, None, None),
    ],
)
def test_reply_language_for_each_variety(
    variety: str | None, script: str | None, expected: str | None
) -> None:
    assert language_from_detection(variety, script) == expected


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("fr", "fr"), ("ar-MA", "ar"), ("en_US", "en"), ("de", None), ("", None), (None, None)],
)
def test_channel_hint(hint: Any, expected: str | None) -> None:
    assert language_from_hint(hint) == expected


async def test_first_arabic_message_sets_arabic(database: Engine) -> None:
    assert await run(tracker(language="ar", script="arab")) == {"language": "ar"}


async def test_arabizi_gets_french(database: Engine) -> None:
    assert await run(tracker(language="ary", script="latin")) == {"language": "fr"}


async def test_detection_switches_language_when_confident(database: Engine) -> None:
    t = tracker(language="en", script="latin", confidence=0.95, slots={"language": "fr"})
    assert await run(t) == {"language": "en"}


async def test_low_confidence_keeps_the_current_language(database: Engine) -> None:
    t = tracker(language="en", script="latin", confidence=0.3, slots={"language": "ar"})
    assert await run(t) == {}


async def test_button_payload_without_detection_keeps_the_current_language(
    database: Engine,
) -> None:
    assert await run(tracker(intent="help", slots={"language": "ar"})) == {}


async def test_hint_decides_when_nothing_is_detected(database: Engine) -> None:
    t = tracker(intent="greet", metadata={"language_hint": "en-GB"})
    assert await run(t) == {"language": "en"}


async def test_explicit_choice_locks_and_is_stored(database: Engine) -> None:
    t = tracker(
        language="fr",
        script="latin",
        intent="change_language",
        entities=[{"entity": "language", "value": "en"}],
        slots={"language": "fr"},
    )
    assert await run(t) == {"language": "en", "language_locked": True}
    with Session(database) as session:
        user = repo.get_or_create_user(session, channel="rest", channel_user_id="user-1")
        assert user.language == "en"


async def test_locked_language_is_not_switched_by_detection(database: Engine) -> None:
    t = tracker(language="ar", script="arab", slots={"language": "en", "language_locked": True})
    assert await run(t) == {}


async def test_stored_choice_applies_to_a_new_conversation(database: Engine) -> None:
    with Session(database) as session, session.begin():
        user = repo.get_or_create_user(session, channel="rest", channel_user_id="user-2")
        repo.set_user_language(session, user_id=user.id, language="ar")
    t = tracker(language="fr", script="latin", sender="user-2")
    assert await run(t) == {"language": "ar", "language_locked": True}


async def test_database_down_still_answers(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing-dir/kb.db")
    choice = tracker(intent="change_language", entities=[{"entity": "language", "value": "ar"}])
    assert await run(choice) == {"language": "ar", "language_locked": True}
    assert await run(tracker(language="en", script="latin")) == {"language": "en"}
