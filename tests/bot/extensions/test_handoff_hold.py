"""bot.extensions.handoff_hold: while a person holds a conversation, the member's messages
never reach Rasa's dialogue (NLU, slot filling, forms, policies): they are kept marked in the
conversation, stored in the transcript, acknowledged to REST; "stop" hands back; a rating
button rates the handoff."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.extensions import handoff_hold
from kb.conversations import HANDLED_BY_PERSON
from kb.handoff_live import get_live, hand_back, take, transcript
from kb.handoffs import request_handoff
from kb.models import Handoff, User
from kb.staff import create_staff
from kb.users import get_or_create_user
from tests.bot.channels.rest_support import database

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  company_name:
    type: text
    mappings:
    - type: from_text
      conditions:
      - active_loop: registration_form
        requested_slot: company_name
  language:
    type: categorical
    values: [fr, ar, en]
    mappings:
    - type: custom
forms:
  registration_form:
    required_slots: [company_name]
"""
)


class FakeProcessor:
    """The part of Rasa's MessageProcessor the hold uses; its own turn is recorded."""

    def __init__(self, tracker: DialogueStateTracker) -> None:
        self.tracker = tracker
        self.dialogue: list[str] = []
        self.saved = 0

    async def fetch_tracker_and_update_session(self, *_: Any) -> DialogueStateTracker:
        return self.tracker

    async def save_tracker(self, tracker: DialogueStateTracker) -> None:
        self.saved += 1


async def rasa_dialogue(processor: FakeProcessor, message: UserMessage) -> Any:
    """Stands in for Rasa's handle_message: NLU, slot filling (the form), policies."""
    processor.dialogue.append(message.text or "")
    processor.tracker.update(UserUttered(message.text, {"name": "inform", "confidence": 0.9}))
    if processor.tracker.active_loop_name == "registration_form":
        processor.tracker.update(SlotSet("company_name", message.text))
    await message.output_channel.send_text_message(message.sender_id, "la réponse du bot")
    return getattr(message.output_channel, "messages", None)


@pytest.fixture()
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setattr(handoff_hold, "_original", rasa_dialogue)
    yield from database(tmp_path, monkeypatch)


def in_registration_form(sender: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen"),
            UserUttered("je veux m'inscrire", {"name": "register_mission", "confidence": 0.95}),
            ActionExecuted("registration_form"),
            ActiveLoop("registration_form"),
            ActionExecuted("action_listen"),
        ],
        slots=DOMAIN.slots,
    )


def held(engine: Engine, channel: str, user: str, language: str = "fr") -> int:
    with Session(engine) as session, session.begin():
        member = get_or_create_user(session, channel=channel, channel_user_id=user)
        handoff = request_handoff(session, user_id=member.id, language=language).handoff
        staff = create_staff(session, email="d@asmex.ma", role="admin", password="p" * 12)
        take(session, handoff_id=handoff.id, staff_id=staff.id)
        return handoff.id


def message(sender: str, text: str, channel: str = "rest") -> UserMessage:
    return UserMessage(
        text, CollectingOutputChannel(), sender, input_channel=channel, message_id="m1"
    )


async def test_a_held_message_never_reaches_the_form(engine: Engine) -> None:
    handoff_id = held(engine, "telegram", "4242")
    processor = FakeProcessor(in_registration_form("telegram:4242"))
    replies = await handoff_hold.handle_message(
        processor,  # type: ignore[arg-type]
        message("telegram:4242", "واش كاين شي معرض فدبي؟", channel="telegram"),
    )
    assert processor.dialogue == []  # no NLU, no slot filling, no policy
    assert processor.tracker.get_slot("company_name") is None
    assert processor.tracker.active_loop_name == "registration_form"  # resumed after hand-back
    assert replies == []  # Telegram: the person answers, the bot says nothing
    last = processor.tracker.events[-1]
    assert isinstance(last, UserUttered) and last.text == "واش كاين شي معرض فدبي؟"
    assert last.metadata[HANDLED_BY_PERSON] is True and last.intent_name is None
    assert processor.saved == 1
    with Session(engine) as session:
        lines = transcript(session, handoff_id=handoff_id)
    assert [(x.direction, x.text) for x in lines] == [("member", "واش كاين شي معرض فدبي؟")]


async def test_after_hand_back_the_dialogue_answers_again(engine: Engine) -> None:
    handoff_id = held(engine, "telegram", "4243")
    with Session(engine) as session, session.begin():
        hand_back(session, handoff_id=handoff_id)
    processor = FakeProcessor(in_registration_form("telegram:4243"))
    await handoff_hold.handle_message(
        processor,  # type: ignore[arg-type]
        message("telegram:4243", "Atlas Export SARL", channel="telegram"),
    )
    assert processor.dialogue == ["Atlas Export SARL"]
    assert processor.tracker.get_slot("company_name") == "Atlas Export SARL"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "Bonjour, j'ai une question", "Message transmis au conseiller de l'ASMEX. Ce canal"),
        ("ar", "عندي سؤال على المعرض", "تم إرسال رسالتكم إلى مستشار ASMEX. هذه القناة"),
        ("en", "I have a question", "Message passed to the ASMEX adviser. This channel"),
    ],
)
async def test_rest_gets_an_acknowledgement_and_is_asked_how_to_be_reached(
    engine: Engine, language: str, text: str, expected: str
) -> None:
    handoff_id = held(engine, "rest", "web-1", language)
    processor = FakeProcessor(DialogueStateTracker("rest:web-1", DOMAIN.slots))
    replies = await handoff_hold.handle_message(processor, message("rest:web-1", text))  # type: ignore[arg-type]
    assert processor.dialogue == []
    assert [r["text"][: len(expected)] for r in replies] == [expected]
    bot = processor.tracker.events[-1]
    assert isinstance(bot, BotUttered) and bot.text.startswith(expected)
    # The member gives an e-mail: kept on the handoff, then plain acknowledgements.
    replies = await handoff_hold.handle_message(
        processor,  # type: ignore[arg-type]
        message("rest:web-1", "joignable sur karim@atlas-export.ma"),
    )
    with Session(engine) as session:
        assert session.get(Handoff, handoff_id).contact == "karim@atlas-export.ma"  # type: ignore[union-attr]
    replies = await handoff_hold.handle_message(processor, message("rest:web-1", "merci"))  # type: ignore[arg-type]
    assert replies[-1]["text"] in {
        "Message transmis au conseiller de l'ASMEX, qui vous répond ici.",
        "تم إرسال رسالتكم إلى مستشار ASMEX، وسيجيبكم هنا.",
        "Message passed to the ASMEX adviser, who will answer you here.",
    }


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("stop", "fr"),
        ("Retour à l'assistant", "fr"),
        ("رجعني للمساعد", "ar"),
        ("صافي بركة", "ar"),
        ("rj3ni lbot", "ar"),
        ("back to the bot", "en"),
    ],
)
async def test_the_member_can_ask_for_the_bot_back(
    engine: Engine, text: str, language: str
) -> None:
    handoff_id = held(engine, "rest", "web-2", language)
    processor = FakeProcessor(DialogueStateTracker("rest:web-2", DOMAIN.slots))
    replies = await handoff_hold.handle_message(processor, message("rest:web-2", text))  # type: ignore[arg-type]
    assert processor.dialogue == []
    with Session(engine) as session:
        assert get_live(session, handoff_id=handoff_id).status == "closed"
    assert len(replies) == 2 and len(replies[1]["buttons"]) == 5
    # The rating button: stored, thanked, never read by the NLU.
    payload = replies[1]["buttons"][3]["payload"]
    thanks = await handoff_hold.handle_message(processor, message("rest:web-2", payload))  # type: ignore[arg-type]
    assert processor.dialogue == []
    thanked = {"fr": "Merci pour votre évaluation !", "ar": "شكرا على تقييمكم!"}
    assert [r["text"] for r in thanks] == [thanked.get(language, "Thank you for your rating!")]
    with Session(engine) as session:
        assert session.get(Handoff, handoff_id).rating == 4  # type: ignore[union-attr]
    # Then the bot answers again.
    await handoff_hold.handle_message(processor, message("rest:web-2", "bonjour"))  # type: ignore[arg-type]
    assert processor.dialogue == ["bonjour"]


async def test_a_conversation_nobody_holds_goes_to_the_dialogue(engine: Engine) -> None:
    processor = FakeProcessor(DialogueStateTracker("rest:web-3", DOMAIN.slots))
    replies = await handoff_hold.handle_message(processor, message("rest:web-3", "salam"))  # type: ignore[arg-type]
    assert processor.dialogue == ["salam"] and replies == [
        {"recipient_id": "rest:web-3", "text": "la réponse du bot"}
    ]


async def test_a_region_button_routes_the_request_to_the_members_region(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    alerted: list[int] = []
    monkeypatch.setattr(handoff_hold, "notify_soon", alerted.append)
    with Session(engine) as session, session.begin():
        member = get_or_create_user(session, channel="telegram", channel_user_id="55")
        handoff_id = request_handoff(session, user_id=member.id, language="ar").handoff.id
    processor = FakeProcessor(DialogueStateTracker("telegram:55", DOMAIN.slots))
    replies = await handoff_hold.handle_message(
        processor,  # type: ignore[arg-type]
        message("telegram:55", '/handoff_region{"region": "souss-massa"}', channel="telegram"),
    )
    assert processor.dialogue == []
    assert [r["text"] for r in replies] == ["شكرا: تمت إحالة طلبكم إلى مندوب جهتكم."]
    with Session(engine) as session:
        row = session.get(Handoff, handoff_id)
        assert row is not None and row.region == "souss-massa"
        assert '"region": "souss-massa"' in (row.summary or "")  # no KB loaded: head office
        assert session.get(User, member.id).region == "souss-massa"  # type: ignore[union-attr]
    assert alerted == [handoff_id]  # the region's delegate is alerted
    # An unknown region is not taken for one: the dialogue reads it.
    await handoff_hold.handle_message(
        processor,  # type: ignore[arg-type]
        message("telegram:55", '/handoff_region{"region": "atlantis"}', channel="telegram"),
    )
    assert processor.dialogue == ['/handoff_region{"region": "atlantis"}']


async def test_held_messages_never_enter_the_learning_loop_or_the_figures(
    engine: Engine, tmp_path: Path
) -> None:
    """The conversation as Rasa's SQL tracker store keeps it: the message a person handled
    (no intent, so it would look "not understood") is left out; the bot's own is read."""
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy import create_engine

    from kb.analytics import conversation_figures, day_range
    from kb.learning import not_understood

    held(engine, "telegram", "4300")
    processor = FakeProcessor(DialogueStateTracker("telegram:4300", DOMAIN.slots))
    processor.tracker.update(
        UserUttered("hadchi ma fhmtouch", {"name": "nlu_fallback", "confidence": 0.2})
    )
    await handoff_hold.handle_message(
        processor,  # type: ignore[arg-type]
        message("telegram:4300", "3afak bghit nsowel 3la salon dubai", channel="telegram"),
    )
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    await store.save(processor.tracker)
    tracker_db = create_engine(f"sqlite:///{path}")
    with tracker_db.connect() as connection:
        texts = [g.text for g in not_understood(connection, since=0, threshold=0.6)]
        figures = conversation_figures(connection, days=day_range(date.today(), 2), threshold=0.6)
    assert texts == ["hadchi ma fhmtouch"]
    assert figures.read == 1 and figures.total == 2
