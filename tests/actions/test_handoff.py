"""action_human_handoff: a handoff row with the conversation's context, routed by region."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.handoff import ActionHumanHandoff, recent_turns
from kb.handoffs import ConversationTurn, list_handoffs, request_handoff
from kb.models import Handoff
from kb.users import get_or_create_user
from kb.views import NotFoundError
from tests.actions.info_support import (
    assert_rendered,
    responses,
    run,
    tracker,
)

# Fixtures shared by the tests of issue #4's information actions.


def handoffs(engine: Engine) -> list[Handoff]:
    with Session(engine) as session:
        return list(session.scalars(select(Handoff).order_by(Handoff.id)))


HISTORY = [
    ("le delegue ASMEX a Agadir", "ask_regional_office"),
    ("et pour exporter au Kenya ?", "ask_market"),
]


async def test_handoff_routed_to_the_regional_delegate(kb: Engine) -> None:
    t = tracker(
        intent="human_handoff",
        text="je veux parler a un conseiller",
        slots={"region": "souss-massa"},
        history=HISTORY,
    )
    messages, events = await run(ActionHumanHandoff(), t)
    (row,) = handoffs(kb)
    assert row.region == "souss-massa" and row.status == "open"
    context = json.loads(row.summary)
    assert context["language"] == "fr"
    assert context["routed_to"] == "Khalid Bounajma"
    assert context["last_messages"] == [
        {"text": "le delegue ASMEX a Agadir", "intent": "ask_regional_office"},
        {"text": "et pour exporter au Kenya ?", "intent": "ask_market"},
        {"text": "je veux parler a un conseiller", "intent": "human_handoff", "confidence": 0.9},
    ]
    assert context["slots"] == {"language": "fr", "region": "souss-massa"}  # for staff
    assert responses(messages) == ["utter_handoff_delegate"]
    assert messages[0]["delegate_name"] == "Khalid Bounajma"
    assert messages[0]["region_name"] == "Souss-Massa"
    assert messages[0]["reference"] == str(row.id)
    assert events == []
    (text,) = assert_rendered(messages, "fr")
    assert "heures de bureau" in text
    assert not any(ch.isdigit() for ch in text.replace(str(row.id), ""))  # no phone number


async def test_handoff_without_region_goes_to_asmex(kb: Engine) -> None:
    messages, _ = await run(
        ActionHumanHandoff(),
        tracker(intent="human_handoff", text="أريد التحدث مع مستشار", lang="ar"),
    )
    (row,) = handoffs(kb)
    assert row.region is None
    assert json.loads(row.summary)["routed_to"] == "asmex"
    assert json.loads(row.summary)["language"] == "ar"
    assert responses(messages) == ["utter_handoff_asmex"]
    (text,) = assert_rendered(messages, "ar")
    assert "أوقات العمل" in text


async def test_region_without_delegate_keeps_the_region(kb: Engine) -> None:
    messages, _ = await run(
        ActionHumanHandoff(),
        tracker(intent="human_handoff", slots={"region": "casablanca-settat"}, lang="en"),
    )
    (row,) = handoffs(kb)
    assert row.region == "casablanca-settat"
    assert responses(messages) == ["utter_handoff_asmex"]


async def test_asking_twice_keeps_one_open_request(kb: Engine) -> None:
    await run(ActionHumanHandoff(), tracker(intent="human_handoff", text="un conseiller"))
    messages, _ = await run(
        ActionHumanHandoff(),
        tracker(
            intent="human_handoff",
            text="toujours personne ?",
            slots={"region": "oriental"},
        ),
    )
    (row,) = handoffs(kb)
    assert row.region == "oriental"
    assert json.loads(row.summary)["last_messages"][-1]["text"] == "toujours personne ?"
    assert responses(messages) == ["utter_handoff_already_open"]
    assert_rendered(messages, "fr")


def test_only_the_latest_messages_are_kept() -> None:
    history = [(f"message {i}", "inform") for i in range(8)]
    turns = recent_turns(tracker(intent="human_handoff", text="last", history=history))
    assert [t.text for t in turns] == ["message 4", "message 5", "message 6", "message 7", "last"]


def test_repository_function(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        user = get_or_create_user(session, channel="rest", channel_user_id="u")
        outcome = request_handoff(
            session,
            user_id=user.id,
            language="en",
            region="tanger-tetouan-al-hoceima",
            turns=[ConversationTurn("hello", "greet")],
        )
        assert outcome.created
        assert outcome.handoff.delegate_name == "Zouheir Benjelloun"
        assert [h.id for h in list_handoffs(session)] == [outcome.handoff.id]
        with pytest.raises(NotFoundError):
            request_handoff(session, user_id=9999, language="fr")


@pytest.mark.usefixtures("db_down")
async def test_database_down_handoff() -> None:
    messages, events = await run(ActionHumanHandoff(), tracker(intent="human_handoff"))
    assert responses(messages) == ["utter_db_unavailable"]
    assert events == []
