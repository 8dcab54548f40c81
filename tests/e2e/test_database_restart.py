"""The conversation store failing under the running servers, in the middle of the registration
form (WhatsApp, the real servers of conftest.py):

- SQLite: another connection holds the conversation store (an exclusive transaction) longer
  than its busy_timeout (5 s). The member's e-mail gets the "technical problem" text, not the
  next question; once the lock is gone the member sends it again and the form goes on, the
  e-mail stored once.
- PostgreSQL: the server restarts between two answers; the next answer finds the conversation
  where it was, its slots kept, without restarting Rasa or the action server.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import pytest

from bot.channels.texts import TEXTS
from tests.e2e.conftest import Stack
from tests.e2e.crash import restart_postgres
from tests.e2e.test_conversations import (
    ABIDJAN,
    DAKAR,
    register_payload,
    to_arabic_indic,
    valid_ice,
)
from tests.e2e.test_whatsapp_e2e import WhatsAppUser, shown_text
from tests.support.fake_platforms import meta_text

pytestmark = pytest.mark.model

EMAIL = "samira@atlas-export.ma"


def slot_value(stack: Stack, sender: str, slot: str) -> Any:
    """The value of ``slot`` in the stored conversation (its last setting), or None."""
    values = [
        event.get("value")
        for event in stack.stored_events(sender)
        if event.get("event") == "slot" and event.get("name") == slot
    ]
    return values[-1] if values else None


def user_texts(stack: Stack, sender: str) -> list[str]:
    """What the member wrote, as the stored conversation holds it."""
    return [
        str(event.get("text"))
        for event in stack.stored_events(sender)
        if event.get("event") == "user"
    ]


def test_a_locked_store_gets_the_apology_then_the_form_goes_on(stack: Stack) -> None:
    if stack.name != "sqlite":
        pytest.skip("the lock of an SQLite file")
    user = WhatsAppUser(stack.servers, stack.graph, "212612009001", "fr")
    offered = user.say("je veux m'inscrire à une mission", "utter_ask_event_slug")
    consent = user.choose(offered, register_payload(DAKAR), "utter_ask_consent")
    user.choose(consent, "/affirm", "utter_ask_company_name")
    user.say("Atlas Export SARL", "utter_ask_ice")
    user.say(valid_ice("0015258220009"), "utter_ask_contact_name")
    user.say("Samira Alaoui", "utter_ask_email")

    locker = sqlite3.connect(stack.workdir / "tracker.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        before = len(stack.graph.messages(user.wa_id))
        started = time.monotonic()
        user.post(meta_text(user.wa_id, "wamid.locked.email", "Samira@Atlas-Export.ma"))
        answered = stack.graph.wait_for(
            lambda: len(stack.graph.messages(user.wa_id)) > before, timeout=60
        )
        took = time.monotonic() - started
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert answered, "no answer while the store was locked"
    said = [shown_text(m) for m in stack.graph.messages(user.wa_id)[before:]]
    print(f"\nlocked store: the apology came after {took:.1f} s")
    assert said == [TEXTS["error"]["fr"]]  # not the next question
    sender = f"whatsapp:{user.wa_id}"
    assert slot_value(stack, sender, "email") is None
    assert "Samira@Atlas-Export.ma" not in user_texts(stack, sender)  # the turn did not happen

    user.say("Samira@Atlas-Export.ma", "utter_ask_phone")  # sent again: the form goes on
    assert slot_value(stack, sender, "email") == EMAIL
    assert user_texts(stack, sender).count("Samira@Atlas-Export.ma") == 1  # stored once
    assert slot_value(stack, sender, "company_name") == "Atlas Export SARL"


def test_a_postgresql_restart_mid_conversation_keeps_it(stack: Stack) -> None:
    if stack.name != "production":
        pytest.skip("a PostgreSQL server")
    user = WhatsAppUser(stack.servers, stack.graph, "212661009002", "ar")
    offered = user.say("بغيت نتسجل فشي بعثة", "utter_ask_event_slug")
    user.choose(offered, register_payload(ABIDJAN), "utter_ask_consent")
    user.say("نعم أوافق", "utter_ask_company_name")
    user.say("شركة الأطلس للتصدير", "utter_ask_ice")

    restart_postgres(stack.tracker_url)  # the knowledge base's server too: the same one

    user.say(to_arabic_indic(valid_ice("0024681357009")), "utter_ask_contact_name")
    user.say("يوسف البناني", "utter_ask_email")
    sender = f"whatsapp:{user.wa_id}"
    assert slot_value(stack, sender, "company_name") == "شركة الأطلس للتصدير"
    assert slot_value(stack, sender, "contact_name") == "يوسف البناني"
    assert user_texts(stack, sender).count("شركة الأطلس للتصدير") == 1
    assert not [t for t in user.log if TEXTS["error"]["ar"] in t]  # no turn was lost
