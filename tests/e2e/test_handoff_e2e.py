"""A live handoff end to end, on both stacks: a Telegram member (the fake Bot API) asks for a
person and names their region; staff take the conversation and reply through the console's
code path (console.rasa_door, the Rasa server's console channel with its token); the member's
messages meanwhile reach the transcript, not the dialogue; the reply reaches the fake Bot
API; staff hand back, the member rates the help in one tap and the bot answers again.

The time from the staff reply to the fake platform is printed (docs/console.md quotes it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from console import rasa_door
from core import settings
from kb.handoff_live import transcript
from kb.models import Handoff, User
from kb.staff import create_staff
from tests.e2e.conftest import CONSOLE_RASA_TOKEN, Stack
from tests.e2e.test_conversations import assert_said
from tests.e2e.test_telegram_e2e import TelegramChat, Webhook, webhook
from tests.support.fake_telegram import message_update

pytestmark = pytest.mark.model

__all__ = ["webhook"]  # the fixture, shared with the Telegram tests


@pytest.fixture(scope="module")
def staff_id(webhook: Webhook) -> Iterator[int]:
    with Session(webhook.engine) as session, session.begin():
        account = create_staff(
            session, email="live.e2e@asmex.ma", role="admin", password="a-long-enough-pass"
        )
    yield account.id


def door(stack: Stack, action: str, handoff_id: int, staff: int, text: str = "") -> object:
    config = settings.load(
        {
            "CONSOLE_RASA_URL": stack.servers.rasa_url,
            "CONSOLE_RASA_TOKEN": CONSOLE_RASA_TOKEN,
        }
    )
    return asyncio.run(rasa_door.call(config, action, handoff_id, staff, text))


def test_a_person_takes_replies_and_hands_back_over_telegram(
    stack: Stack, webhook: Webhook, staff_id: int
) -> None:
    chat = TelegramChat(webhook, 7_100_001, "fr")
    replies = chat.say("je veux parler à un conseiller")
    assert_said(replies, "utter_handoff_asmex", lang="fr")  # no region known: head office
    assert_said(replies, "utter_ask_region", lang="fr")
    kept = chat.press('/handoff_region{"region": "souss-massa"}')
    assert kept[0]["text"].startswith("Merci : votre demande est transmise au délégué")
    with Session(webhook.engine) as session:
        handoff = session.scalars(
            select(Handoff)
            .join(User, User.id == Handoff.user_id)
            .where(User.channel_user_id == str(chat.user_id))
        ).one()
        handoff_id = handoff.id
        assert handoff.region == "souss-massa" and handoff.status == "open"

    # Staff take it: the member is told in French.
    taken = door(stack, "take", handoff_id, staff_id)
    assert taken.ok and taken.delivery == "sent"  # type: ignore[attr-defined]
    told = webhook.telegram.calls_to("sendMessage")[-1]
    assert told.chat_id == chat.user_id and "conseiller de l'ASMEX a rejoint" in told.params["text"]

    # The member writes inside the conversation a person holds: no reply from the bot, the
    # message is in the transcript and marked in the stored conversation.
    before = len(webhook.telegram.calls_to("sendMessage"))
    held = "je veux m'inscrire à la mission de Dakar, c'est possible ?"
    assert webhook.post(message_update(held, user_id=chat.user_id, language_code="fr")) == 200
    assert len(webhook.telegram.calls_to("sendMessage")) == before
    with Session(webhook.engine) as session:
        assert [line.text for line in transcript(session, handoff_id=handoff_id)][-1] == held
    events = stack.stored_events(f"telegram:{chat.user_id}")
    (stored,) = [e for e in events if e.get("event") == "user" and e.get("text") == held]
    assert stored["metadata"]["handled_by_person"] is True
    assert not any(
        e.get("event") == "action" and e.get("name") == "registration_form"
        for e in events[events.index(stored) :]
    )  # the form never started

    # The staff reply reaches the fake Bot API.
    started = time.perf_counter()
    reply = door(stack, "reply", handoff_id, staff_id, "Oui, je vous inscris moi-même.")
    elapsed = time.perf_counter() - started
    assert reply.ok and reply.delivery == "sent"  # type: ignore[attr-defined]
    last = webhook.telegram.calls_to("sendMessage")[-1]
    assert last.params["text"] == "Oui, je vous inscris moi-même." and last.chat_id == chat.user_id
    print(f"\n[{stack.name}] staff reply to the fake Bot API: {elapsed * 1000:.0f} ms")

    # Hand back: the member is told and offered the one-tap rating.
    back = door(stack, "hand-back", handoff_id, staff_id)
    assert back.ok and back.handoff_status == "closed"  # type: ignore[attr-defined]
    handed, rate = webhook.telegram.calls_to("sendMessage")[-2:]
    assert "rendu à l'assistant" in handed.params["text"]
    keyboard = rate.params["reply_markup"]["inline_keyboard"]
    five = [b for row in keyboard for b in row][-1]
    chat.shown['/handoff_rating{"rating": 5}'] = str(five["callback_data"])
    thanks = chat.press('/handoff_rating{"rating": 5}')
    assert thanks[0]["text"] == "Merci pour votre évaluation !"
    with Session(webhook.engine) as session:
        assert session.get(Handoff, handoff_id).rating == 5  # type: ignore[union-attr]

    # The bot answers again.
    assert_said(chat.say("bonjour"), "utter_greet", lang="fr")
