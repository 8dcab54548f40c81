"""action_human_handoff: a handoff row with the conversation's context, routed by region."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions import handoff
from actions.common import channel_identity
from actions.handoff import ActionHumanHandoff, recent_turns
from core import settings
from kb.handoffs import ConversationTurn, list_handoffs, request_handoff
from kb.models import Handoff, User
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


def own_region(engine: Engine, t: object, region: str) -> None:
    """The member said their own region before (users.region)."""
    channel, user = channel_identity(t)  # type: ignore[arg-type]
    with Session(engine) as session, session.begin():
        member = get_or_create_user(session, channel=channel, channel_user_id=user)
        session.get(User, member.id).region = region  # type: ignore[union-attr]


async def test_handoff_routed_to_the_members_own_region(kb: Engine) -> None:
    t = tracker(
        intent="human_handoff",
        text="je veux parler a un conseiller",
        slots={"region": "oriental"},  # a region the conversation mentioned: not theirs
        history=HISTORY,
    )
    own_region(kb, t, "souss-massa")
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
    assert context["slots"] == {"language": "fr", "region": "oriental"}  # for staff
    assert responses(messages) == ["utter_handoff_delegate"]
    assert messages[0]["delegate_name"] == "Khalid Bounajma"
    assert messages[0]["region_name"] == "Souss-Massa"
    assert messages[0]["reference"] == str(row.id)
    assert events == []
    (text,) = assert_rendered(messages, "fr")
    assert "heures de bureau" in text
    assert not any(ch.isdigit() for ch in text.replace(str(row.id), ""))  # no phone number


@pytest.mark.parametrize(
    ("lang", "first"), [("fr", "Béni Mellal-Khénifra"), ("ar", "بني ملال خنيفرة"), ("en", None)]
)
async def test_a_mentioned_region_does_not_route_the_member_is_asked_theirs(
    kb: Engine, lang: str, first: str | None
) -> None:
    messages, _ = await run(
        ActionHumanHandoff(),
        tracker(
            intent="human_handoff",
            text="أريد التحدث مع مستشار",
            lang=lang,
            slots={"region": "souss-massa"},
        ),
    )
    (row,) = handoffs(kb)
    assert row.region is None
    assert json.loads(row.summary)["routed_to"] == "asmex"
    assert responses(messages) == ["utter_handoff_asmex", "utter_ask_region"]
    buttons = messages[1]["buttons"]
    assert len(buttons) == 12
    assert all(b["payload"].startswith('/handoff_region{"region": "') for b in buttons)
    assert len(assert_rendered(messages, lang)) == 2
    if first is not None:
        assert first in [b["title"] for b in buttons]


async def test_outside_office_hours_the_member_is_told_when_to_expect_an_answer(
    kb: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    saturday = datetime(2026, 1, 17, 15, tzinfo=timezone.utc)
    monkeypatch.setattr(handoff, "now", lambda: saturday)
    t = tracker(intent="human_handoff", text="بغيت نهضر مع شي واحد", lang="ar")
    own_region(kb, t, "souss-massa")
    messages, _ = await run(ActionHumanHandoff(), t)
    assert responses(messages) == ["utter_handoff_delegate", "utter_handoff_office_hours"]
    assert messages[1]["opening"] == "19 يناير 2026, 09:00"
    texts = assert_rendered(messages, "ar")
    assert "مغلقة" in texts[1] and "19 يناير 2026, 09:00" in texts[1]


@pytest.mark.parametrize(
    ("lang", "text", "opening"),
    [
        ("fr", "je veux parler à un conseiller", "19 novembre 2026, 09:00"),
        ("ar", "بغيت نهضر مع شي واحد", "19 نونبر 2026, 09:00"),
        ("en", "can I talk to a person", "19 November 2026, 09:00"),
    ],
)
async def test_on_a_public_holiday_the_member_is_told_the_next_working_day(
    kb: Engine, monkeypatch: pytest.MonkeyPatch, lang: str, text: str, opening: str
) -> None:
    """Wednesday 18 November 2026, Independence Day, 10:00 in Morocco."""
    monkeypatch.setattr(handoff, "now", lambda: datetime(2026, 11, 18, 9, tzinfo=timezone.utc))
    t = tracker(intent="human_handoff", text=text, lang=lang)
    own_region(kb, t, "souss-massa")
    messages, _ = await run(ActionHumanHandoff(), t)
    assert responses(messages) == ["utter_handoff_delegate", "utter_handoff_office_hours"]
    assert opening in assert_rendered(messages, lang)[1]


async def test_malformed_office_settings_say_nothing_of_hours_and_break_nothing(
    kb: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICE_CLOSED_DAYS", "18/11")
    monkeypatch.setattr(settings, "_current", None)
    monkeypatch.setattr(handoff, "now", lambda: datetime(2026, 11, 18, 9, tzinfo=timezone.utc))
    t = tracker(intent="human_handoff", text="un conseiller svp")
    own_region(kb, t, "oriental")
    messages, _ = await run(ActionHumanHandoff(), t)
    assert responses(messages) == ["utter_handoff_delegate"]


async def test_asking_twice_keeps_one_open_request(kb: Engine) -> None:
    await run(ActionHumanHandoff(), tracker(intent="human_handoff", text="un conseiller"))
    t = tracker(intent="human_handoff", text="toujours personne ?")
    own_region(kb, t, "oriental")
    messages, _ = await run(ActionHumanHandoff(), t)
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
