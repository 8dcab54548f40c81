"""/session_start and /restart typed by a member get a reply in their language; a session
Rasa starts by itself stays silent and keeps the slots."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.session import ActionSessionStart, typed_by_member
from tests.actions.info_support import assert_rendered, project_domain, responses, run


def user(text: str, intent: str) -> dict[str, Any]:
    parse = {"intent": {"name": intent}, "entities": [], "text": text}
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": "telegram"}


LISTEN = {"event": "action", "name": "action_listen"}
GREETED = [LISTEN, user("السلام عليكم", "greet"), {"event": "bot", "text": "مرحبا"}, LISTEN]


def tracker(events: list[dict[str, Any]], slots: dict[str, Any] | None = None) -> Tracker:
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    return Tracker("telegram:42", slots or {}, latest, events, False, None, {}, "action_listen")


@pytest.mark.parametrize(
    ("events", "typed"),
    [
        ([*GREETED, user("/session_start", "session_start")], True),
        (
            [
                *GREETED,
                user("/session_start", "session_start"),
                {"event": "slot", "name": "language", "value": "ar"},
            ],
            True,
        ),
        ([], False),  # a new conversation: Rasa starts its first session
        ([{"event": "slot", "name": "session_started_metadata", "value": {}}], False),
        (GREETED, False),  # a pause: Rasa starts a session before the next message
        # An old /session_start, answered: the next session is Rasa's own.
        ([*GREETED, user("/session_start", "session_start"), {"event": "bot"}, LISTEN], False),
        ([*GREETED, user("/restart", "restart"), {"event": "restart"}], False),
    ],
)
def test_a_session_start_is_the_members_only_when_they_typed_it(
    events: list[dict[str, Any]], typed: bool
) -> None:
    assert typed_by_member(tracker(events)) is typed


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
async def test_a_typed_session_start_greets_and_keeps_the_slots(lang: str) -> None:
    slots = {"language": lang, "region": "souss-massa", "requested_slot": "company_name"}
    events = [*GREETED, user("/session_start", "session_start")]
    messages, returned = await run(ActionSessionStart(), tracker(events, slots))
    assert responses(messages) == ["utter_session_started"]
    assert assert_rendered(messages, lang)[0].startswith("👋")
    assert returned[0]["event"] == "session_started"
    carried = {e["name"]: e["value"] for e in returned if e["event"] == "slot"}
    assert carried == {"language": lang, "region": "souss-massa"}  # no form in a new session
    assert returned[-1] == {**returned[-1], "event": "action", "name": "action_listen"}


async def test_a_session_rasa_starts_says_nothing() -> None:
    messages, returned = await run(ActionSessionStart(), tracker(GREETED, {"language": "ar"}))
    assert messages == []
    assert [e["event"] for e in returned] == ["session_started", "slot", "action"]


@pytest.mark.parametrize(
    ("lang", "start"), [("fr", "🔄 On repart"), ("ar", "🔄 بدأنا"), ("en", "🔄 Starting over")]
)
def test_restart_answers_in_the_members_language(lang: str, start: str) -> None:
    """Rasa's own action_restart says utter_restart, then forgets the conversation."""
    from rasa.core.actions.action import ActionRestart
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.events import BotUttered, Restarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = project_domain()
    rasa_tracker = DialogueStateTracker.from_events(
        "telegram:42",
        [SlotSet("language", lang), UserUttered("/restart", {"name": "restart"})],
        slots=domain.slots,
    )
    channel = CollectingOutputChannel()
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    events = asyncio.run(ActionRestart().run(channel, nlg, rasa_tracker, domain))
    said = [e.text for e in events if isinstance(e, BotUttered)]
    assert len(said) == 1 and said[0].startswith(start)
    assert isinstance(events[-1], Restarted)
