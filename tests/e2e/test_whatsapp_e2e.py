"""Whole conversations over WhatsApp, with the real Rasa and action servers.

The project's own credentials.yml, turned on by the WHATSAPP_* and TWILIO_* environment
variables, opens both WhatsApp channels; their replies go to local fakes of the Graph API and
of Twilio's REST API. Every user message is a webhook call signed like Meta (or Twilio) signs
it; where the bot offers buttons the user taps one (a button_reply or list_reply carrying the
payload). A registration in French and one in Arabic end in the database. The servers are
those of conftest.py, so every test runs on both stacks (SQLite, and PostgreSQL + Redis with
two Sanic workers).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.texts import TEXTS
from kb.models import User
from tests.e2e.conftest import TWILIO_PUBLIC_URL, TWILIO_TOKEN, WHATSAPP_APP_SECRET, Stack
from tests.e2e.servers import Servers
from tests.e2e.test_conversations import (
    ABIDJAN,
    DAKAR,
    fragments,
    invalid_ice,
    register_payload,
    registrations,
    to_arabic_indic,
    valid_ice,
)
from tests.support.fake_platforms import (
    FakeApi,
    meta_media,
    meta_reply_to,
    meta_signature,
    meta_text,
    meta_webhook,
    twilio_form,
    twilio_signature,
)

pytestmark = pytest.mark.model

AGRIFOOD = '/inform{"sector": "agrifood"}'
#: Seconds a reply may take (the first message also warms the model up).
REPLY_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def graph(stack: Stack) -> FakeApi:
    """The fake Graph API the WhatsApp channel replies to."""
    return stack.graph


@pytest.fixture(scope="module")
def twilio(stack: Stack) -> FakeApi:
    """The fake Twilio REST API the Twilio channel replies to."""
    return stack.twilio


# --- a WhatsApp user -----------------------------------------------------------------------------


def shown_text(message: dict[str, Any]) -> str:
    """What the user reads of a Graph API message (text, or an interactive message's body)."""
    if message.get("type") == "text":
        return str(message["text"]["body"])
    if message.get("type") == "interactive":
        return str(message["interactive"]["body"]["text"])
    return ""


def has_said(messages: list[dict[str, Any]], name: str, lang: str) -> bool:
    shown = "\n".join(shown_text(m) for m in messages)
    return all(part in shown for part in fragments(name, lang))


@dataclass
class WhatsAppUser:
    """One WhatsApp user writing to the assistant through signed Cloud API webhooks."""

    servers: Servers
    graph: FakeApi
    wa_id: str
    lang: str
    sent: int = 0
    log: list[str] = field(default_factory=list)

    def post(self, message: dict[str, Any]) -> httpx.Response:
        """Deliver one webhook notification carrying ``message``, as Meta would."""
        body = json.dumps(meta_webhook([message])).encode()
        answer = httpx.post(
            f"{self.servers.rasa_url}/webhooks/whatsapp/webhook",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": meta_signature(body, WHATSAPP_APP_SECRET),
            },
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return answer

    def _next_id(self) -> str:
        self.sent += 1
        return f"wamid.e2e.{self.wa_id}.{self.sent}"

    def _await(self, before: int, expected: tuple[str, ...]) -> list[dict[str, Any]]:
        def done() -> bool:
            new = self.graph.messages(self.wa_id)[before:]
            return bool(new) and all(has_said(new, name, self.lang) for name in expected)

        ok = self.graph.wait_for(done, timeout=REPLY_TIMEOUT)
        new = self.graph.messages(self.wa_id)[before:]
        shown = "\n".join(shown_text(m) for m in new)
        self.log.append(shown)
        assert ok, f"expected {expected} in {self.lang}, got:\n{shown}\n--- before:\n{self.log}"
        return new

    def say(self, text: str, *expected: str) -> list[dict[str, Any]]:
        """Type ``text``; wait for the responses ``expected`` (domain names) in the language."""
        before = len(self.graph.messages(self.wa_id))
        self.post(meta_text(self.wa_id, self._next_id(), text))
        return self._await(before, expected)

    def choose(
        self, offered: list[dict[str, Any]], payload: str, *expected: str
    ) -> list[dict[str, Any]]:
        """Tap the button or list row of ``offered`` whose id is ``payload``."""
        interactive = [m for m in offered if m.get("type") == "interactive"]
        assert interactive, f"no buttons offered in {[shown_text(m) for m in offered]}"
        before = len(self.graph.messages(self.wa_id))
        self.post(meta_reply_to(self.wa_id, self._next_id(), interactive[-1], payload))
        return self._await(before, expected)


def offered_ids(messages: list[dict[str, Any]]) -> list[str]:
    """Ids (payloads) of every reply button and list row in ``messages``."""
    ids = []
    for message in messages:
        action = (message.get("interactive") or {}).get("action") or {}
        ids += [b["reply"]["id"] for b in action.get("buttons", [])]
        ids += [r["id"] for s in action.get("sections", []) for r in s["rows"]]
    return ids


def whatsapp_users(engine: Any, wa_id: str) -> list[User]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(User).where(User.channel == "whatsapp", User.channel_user_id == wa_id)
            )
        )


# --- registrations -------------------------------------------------------------------------------


def test_registration_in_french_over_whatsapp(
    servers: Servers, graph: FakeApi, database: Any
) -> None:
    user = WhatsAppUser(servers, graph, "212612000001", "fr")
    ice = valid_ice("0015258220001")

    user.say("bonjour", "utter_greet")
    # Meta redelivers the same message: no second greeting.
    first_id = f"wamid.e2e.{user.wa_id}.1"
    count = len(graph.messages(user.wa_id))
    user.post(meta_text(user.wa_id, first_id, "bonjour"))
    time.sleep(1.5)
    assert len(graph.messages(user.wa_id)) == count

    offered = user.say("je veux m'inscrire à une mission", "utter_ask_event_slug")
    assert register_payload(DAKAR) in offered_ids(offered)
    # Consent first (law 09-08): a message with its two reply buttons.
    consent = user.choose(offered, register_payload(DAKAR), "utter_ask_consent")
    assert offered_ids(consent[-1:]) == ["/affirm", "/deny"]
    user.choose(consent, "/affirm", "utter_ask_company_name")
    user.say("Atlas Export SARL", "utter_ask_ice")
    user.say(invalid_ice(ice), "utter_registration_invalid_ice", "utter_ask_ice")
    user.say(ice, "utter_ask_contact_name")
    user.say("Samira Alaoui", "utter_ask_email")
    user.say("Samira@Atlas-Export.ma", "utter_ask_phone")
    offered = user.say("0612000001", "utter_ask_sector")
    assert offered[-1]["interactive"]["type"] == "list"  # eight sectors

    summary = user.choose(offered, AGRIFOOD, "utter_ask_registration_confirmed")
    shown = "\n".join(shown_text(m) for m in summary)
    for value in ("Atlas Export SARL", ice, "Samira Alaoui", "+212612000001", "Dakar"):
        assert value in shown
    assert summary[-1]["interactive"]["type"] == "button"
    assert registrations(database, phone="+212612000001") == []

    done = user.choose(summary, "/affirm", "utter_registration_done")
    assert f"https://example.org/asmex/{DAKAR}" in "\n".join(shown_text(m) for m in done)

    [row] = registrations(database, phone="+212612000001")
    assert (row.event_slug, row.company_name, row.ice, row.contact_name, row.email) == (
        DAKAR,
        "Atlas Export SARL",
        ice,
        "Samira Alaoui",
        "samira@atlas-export.ma",
    )
    assert (row.sector, row.status) == ("agrifood", "confirmed")
    [account] = whatsapp_users(database, user.wa_id)
    assert row.user_id == account.id
    assert account.last_inbound_at is not None  # noted for the 24-hour window


def test_registration_in_arabic_over_whatsapp(
    servers: Servers, graph: FakeApi, database: Any
) -> None:
    user = WhatsAppUser(servers, graph, "212661000002", "ar")
    ice = valid_ice("0024681357000")

    offered = user.say("بغيت نتسجل فشي بعثة", "utter_ask_event_slug")
    assert register_payload(ABIDJAN) in offered_ids(offered)
    user.choose(offered, register_payload(ABIDJAN), "utter_ask_consent")
    user.say("نعم أوافق", "utter_ask_company_name")
    user.say("شركة سوس للتصدير", "utter_ask_ice")
    user.say(to_arabic_indic(invalid_ice(ice)), "utter_registration_invalid_ice", "utter_ask_ice")
    user.say(to_arabic_indic(ice), "utter_ask_contact_name")
    user.say("يوسف البناني", "utter_ask_email")
    user.say("youssef@souss-export.ma", "utter_ask_phone")
    offered = user.say("٠٦٦١٠٠٠٠٠٢", "utter_ask_sector")
    assert offered[-1]["interactive"]["action"]["button"] == "الخيارات"

    summary = user.choose(offered, AGRIFOOD, "utter_ask_registration_confirmed")
    shown = "\n".join(shown_text(m) for m in summary)
    for value in ("شركة سوس للتصدير", ice, "يوسف البناني", "+212661000002", "أبيدجان"):
        assert value in shown
    user.choose(summary, "/affirm", "utter_registration_done")

    [row] = registrations(database, phone="+212661000002")
    assert (row.event_slug, row.company_name, row.ice, row.contact_name, row.sector) == (
        ABIDJAN,
        "شركة سوس للتصدير",
        ice,
        "يوسف البناني",
        "agrifood",
    )

    # A voice note now: the polite reply is in the conversation's language (Arabic).
    before = len(graph.messages(user.wa_id))
    user.post(meta_media(user.wa_id, "wamid.e2e.voice", "audio"))
    assert graph.wait_for(lambda: len(graph.messages(user.wa_id)) > before, REPLY_TIMEOUT)
    [reply] = graph.messages(user.wa_id)[before:]
    assert reply["text"]["body"] == TEXTS["unsupported"]["ar"]


# --- Twilio --------------------------------------------------------------------------------------


def _post_twilio(servers: Servers, form: dict[str, str], signature: str) -> httpx.Response:
    return httpx.post(
        f"{servers.rasa_url}/webhooks/twilio_whatsapp/webhook",
        data=form,
        headers={"X-Twilio-Signature": signature},
        timeout=10,
    )


def test_twilio_numbered_choice_starts_the_registration(servers: Servers, twilio: FakeApi) -> None:
    sender, to = "+212612000003", "whatsapp:+212612000003"
    form = twilio_form(sender, "SMe2e0001", "je veux m'inscrire à une mission")
    forged = _post_twilio(servers, form, twilio_signature("wrong-token", TWILIO_PUBLIC_URL, form))
    assert forged.status_code == 403
    answer = _post_twilio(servers, form, twilio_signature(TWILIO_TOKEN, TWILIO_PUBLIC_URL, form))
    assert answer.status_code == 200

    def body_with(*parts: str) -> str | None:
        for message in twilio.twilio_messages(to):
            if all(part in message.get("Body", "") for part in parts):
                return message["Body"]
        return None

    asked = fragments("utter_ask_event_slug", "fr")
    assert twilio.wait_for(lambda: body_with(*asked) is not None, REPLY_TIMEOUT)
    listing = body_with(*asked) or ""
    numbers = {
        m.group(2): m.group(1) for m in re.finditer(r"^(\d+)\. (.*)$", listing, re.MULTILINE)
    }
    dakar = next(number for title, number in numbers.items() if "Dakar" in title)

    count = len(twilio.twilio_messages(to))
    choice = twilio_form(sender, "SMe2e0002", dakar)
    answer = _post_twilio(
        servers, choice, twilio_signature(TWILIO_TOKEN, TWILIO_PUBLIC_URL, choice)
    )
    assert answer.status_code == 200

    def said_since(count: int, name: str) -> bool:
        parts = fragments(name, "fr")
        messages = twilio.twilio_messages(to)[count:]
        return any(all(part in m.get("Body", "") for part in parts) for m in messages)

    # Consent first (law 09-08); its first numbered option is "J'accepte".
    assert twilio.wait_for(lambda: said_since(count, "utter_ask_consent"), REPLY_TIMEOUT), (
        twilio.twilio_messages(to)[count:]
    )
    count = len(twilio.twilio_messages(to))
    accept = twilio_form(sender, "SMe2e0003", "1")
    answer = _post_twilio(
        servers, accept, twilio_signature(TWILIO_TOKEN, TWILIO_PUBLIC_URL, accept)
    )
    assert answer.status_code == 200
    assert twilio.wait_for(lambda: said_since(count, "utter_ask_company_name"), REPLY_TIMEOUT), (
        twilio.twilio_messages(to)[count:]
    )


def test_event_details_send_the_calendar_as_a_document(servers: Servers, graph: FakeApi) -> None:
    user = WhatsAppUser(servers, graph, "212612000004", "fr")
    uploads = len([r for r in graph.requests if r.path.endswith("/media")])
    details = "/ask_mission_details" + json.dumps({"event_slug": DAKAR})
    user.say(details, "utter_mission_calendar")
    assert graph.wait_for(
        lambda: any(m["type"] == "document" for m in graph.messages(user.wa_id)), REPLY_TIMEOUT
    )
    upload = [r for r in graph.requests if r.path.endswith("/media")][uploads]
    filename, _, content = upload.files["file"]
    assert filename == f"{DAKAR}.ics"
    assert content.startswith(b"BEGIN:VCALENDAR") and DAKAR.encode() in content
    [document] = [m for m in graph.messages(user.wa_id) if m["type"] == "document"]
    assert document["document"]["filename"] == f"{DAKAR}.ics"
    assert document["document"]["id"].startswith("media-")
