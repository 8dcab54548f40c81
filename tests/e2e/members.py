"""Members of the privacy tests, one per channel, and a registration driven by what is asked.

Each member writes through their channel's real entry point (the REST channel, Telegram's
webhook with a signed-in user's names, WhatsApp's signed webhook with a profile name) and
reads what the platform fake received. ``register`` answers the registration form's questions
in whatever order the form asks them (the consent, the event, the company...), from the
domain's responses in the member's language, so it follows the form as it changes.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.telegram import SECRET_HEADER
from kb.models import CallbackPayload
from tests.e2e.conftest import TELEGRAM_SECRET, WHATSAPP_APP_SECRET
from tests.e2e.servers import Servers
from tests.e2e.test_conversations import fragments, register_payload
from tests.support.fake_platforms import FakeApi, meta_reply_to, meta_signature, meta_text
from tests.support.fake_platforms import meta_webhook as meta_notification
from tests.support.fake_telegram import ThreadedFakeTelegram, callback_update, message_update

#: Seconds a reply may take (the first messages also warm the model up).
REPLY_TIMEOUT = 90.0


@dataclass(frozen=True)
class Person:
    """Everything personal a member gives: who they are on their channel, and on the form."""

    channel_user_id: str
    #: The name their platform shows (Telegram's first and last name, WhatsApp's profile).
    display_name: str
    company: str
    ice: str
    contact: str
    email: str
    #: The phone number as typed, and as stored (+212...).
    phone_typed: str
    phone: str
    lang: str  # reply language: fr or ar

    def values(self) -> list[str]:
        """The personal values, in every form a log line or a column may hold them."""
        values = [
            self.channel_user_id,
            *self.display_name.split(),
            self.company,
            self.ice,
            self.contact,
            self.email,
            self.email.lower(),
            self.phone_typed,
            self.phone,
            self.phone.lstrip("+"),
            self.phone[4:],  # without +212
        ]
        values += [json.dumps(v)[1:-1] for v in values if not v.isascii()]
        return sorted({v for v in values if len(v) >= 4})


class Member(Protocol):
    """A member writing on one channel."""

    person: Person
    #: Every message text they sent.
    sent: list[str]

    def say(self, text: str) -> None: ...

    def choose(self, payload: str) -> None: ...

    def received(self) -> list[str]: ...

    def offered(self) -> list[str]: ...


def wait_until(condition: Callable[[], bool], what: Callable[[], str]) -> None:
    """Poll ``condition`` until true, or fail after REPLY_TIMEOUT saying ``what()``."""
    deadline = time.monotonic() + REPLY_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out: {what()}")
        time.sleep(0.1)


# --- the channels --------------------------------------------------------------------------------


@dataclass
class RestMember:
    """A member of a REST client (a web chat's backend)."""

    servers: Servers
    person: Person
    sent: list[str] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.sent.append(text)
        self.replies += self.servers.send(self.person.channel_user_id, text)

    def choose(self, payload: str) -> None:
        assert payload in self.offered(), f"{payload} not offered: {self.offered()}"
        self.replies += self.servers.send(self.person.channel_user_id, payload)

    def received(self) -> list[str]:
        return [str(r.get("text") or "") for r in self.replies]

    def offered(self) -> list[str]:
        return [str(b.get("payload")) for r in self.replies for b in r.get("buttons") or []]


@dataclass
class TelegramMember:
    """A Telegram user (with a first and a last name) writing to the bot's webhook."""

    servers: Servers
    telegram: ThreadedFakeTelegram
    engine: Engine
    person: Person
    sent: list[str] = field(default_factory=list)

    @property
    def user_id(self) -> int:
        return int(self.person.channel_user_id)

    def _named(self, update: dict[str, Any]) -> dict[str, Any]:
        first, _, last = self.person.display_name.partition(" ")
        names = {"first_name": first, "last_name": last, "username": f"{first}_{last}".lower()}
        for part in update.values():
            if isinstance(part, dict):
                part["from"].update(names)
                if "chat" in part and part["chat"].get("type") == "private":
                    part["chat"].update(names)
        return update

    def _post(self, update: dict[str, Any]) -> None:
        registration = self.telegram.calls_to("setWebhook")[-1]
        path = urllib.parse.urlparse(str(registration.params["url"])).path
        answer = httpx.post(
            self.servers.rasa_url + path,
            content=json.dumps(self._named(update)).encode(),
            headers={"Content-Type": "application/json", SECRET_HEADER: TELEGRAM_SECRET},
            timeout=REPLY_TIMEOUT,
        )
        assert answer.status_code == 200, answer.text

    def say(self, text: str) -> None:
        self.sent.append(text)
        lang = "ar" if self.person.lang == "ar" else "fr"
        self._post(message_update(text, user_id=self.user_id, language_code=lang))

    def choose(self, payload: str) -> None:
        data = self._buttons().get(payload)
        assert data is not None, f"{payload} not offered: {sorted(self._buttons())}"
        self._post(callback_update(data, user_id=self.user_id, language_code=self.person.lang))

    def _messages(self) -> list[Any]:
        return [c for c in self.telegram.calls_to("sendMessage") if c.chat_id == self.user_id]

    def _buttons(self) -> dict[str, str]:
        """Payload -> callback data of every button shown (a short key looked up)."""
        found = {}
        for call in self._messages():
            for button in call.buttons:
                data = str(button.get("callback_data") or "")
                with Session(self.engine) as session:
                    stored = session.get(CallbackPayload, data)
                found[str(stored.payload) if stored is not None else data] = data
        return found

    def received(self) -> list[str]:
        return [str(call.params.get("text") or "") for call in self._messages()]

    def offered(self) -> list[str]:
        return list(self._buttons())


@dataclass
class WhatsAppMember:
    """A WhatsApp user (with a profile name) writing through Meta's signed webhook."""

    servers: Servers
    graph: FakeApi
    person: Person
    sent: list[str] = field(default_factory=list)
    count: int = 0

    def _post(self, message: dict[str, Any]) -> None:
        body = json.dumps(
            meta_notification([message], profile_name=self.person.display_name)
        ).encode()
        answer = httpx.post(
            f"{self.servers.rasa_url}/webhooks/whatsapp/webhook",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": meta_signature(body, WHATSAPP_APP_SECRET),
            },
            timeout=30,
        )
        assert answer.status_code == 200, answer.text

    def _wamid(self) -> str:
        self.count += 1
        return f"wamid.privacy.{self.person.channel_user_id}.{self.count}"

    def say(self, text: str) -> None:
        self.sent.append(text)
        self._post(meta_text(self.person.channel_user_id, self._wamid(), text))

    def choose(self, payload: str) -> None:
        wa_id = self.person.channel_user_id
        offering = [m for m in self._messages() if payload in _ids(m)]
        assert offering, f"{payload} not offered: {self.offered()}"
        self._post(meta_reply_to(wa_id, self._wamid(), offering[-1], payload))

    def _messages(self) -> list[dict[str, Any]]:
        return self.graph.messages(self.person.channel_user_id)

    def received(self) -> list[str]:
        shown = []
        for message in self._messages():
            if message.get("type") == "text":
                shown.append(str(message["text"]["body"]))
            elif message.get("type") == "interactive":
                shown.append(str(message["interactive"]["body"]["text"]))
        return shown

    def offered(self) -> list[str]:
        return [i for m in self._messages() for i in _ids(m)]


def _ids(message: dict[str, Any]) -> list[str]:
    action = (message.get("interactive") or {}).get("action") or {}
    ids = [b["reply"]["id"] for b in action.get("buttons", [])]
    return ids + [r["id"] for s in action.get("sections", []) for r in s["rows"]]


# --- conversations -------------------------------------------------------------------------------


def said(texts: list[str], name: str, lang: str) -> bool:
    shown = "\n".join(texts)
    return all(part in shown for part in fragments(name, lang))


def expect(member: Member, before: int, *names: str) -> str:
    """Wait until the replies after the ``before`` first ones say one of ``names``; which."""
    lang = member.person.lang

    def found() -> str | None:
        new = member.received()[before:]
        return next((name for name in names if said(new, name, lang)), None)

    wait_until(
        lambda: found() is not None,
        lambda: f"none of {names} in {lang} after {member.sent[-1:]}: {member.received()[before:]}",
    )
    return str(found())


def turn(member: Member, text: str, *names: str) -> str:
    """Say ``text``, then wait for one of the responses ``names``; which one came."""
    before = len(member.received())
    member.say(text)
    return expect(member, before, *names)


#: The registration form's questions, the last ones first (a reply may hold two of them).
FORM = (
    "utter_registration_done",
    "utter_ask_registration_confirmed",
    "utter_ask_sector",
    "utter_ask_phone",
    "utter_ask_email",
    "utter_ask_contact_name",
    "utter_ask_ice",
    "utter_ask_company_name",
    "utter_ask_consent",
    "utter_ask_event_slug",
)
YES = {"fr": "oui", "ar": "نعم"}
SECTOR = {"fr": "agroalimentaire", "ar": "الصناعات الغذائية"}


def register(member: Member, event_slug: str, ask: str) -> None:
    """Ask to register with ``ask`` and answer every question until the registration is done."""
    person, lang = member.person, member.person.lang
    answers = {
        "utter_ask_registration_confirmed": YES[lang],
        "utter_ask_sector": SECTOR[lang],
        "utter_ask_phone": person.phone_typed,
        "utter_ask_email": person.email,
        "utter_ask_contact_name": person.contact,
        "utter_ask_ice": person.ice,
        "utter_ask_company_name": person.company,
        "utter_ask_consent": YES[lang],
    }
    payload = register_payload(event_slug)
    asked = turn(member, ask, *FORM)
    history = [asked]
    while asked != "utter_registration_done":
        assert history.count(asked) <= 2, f"asked again and again: {history}"
        if asked == "utter_ask_event_slug":
            wait_until(lambda: payload in member.offered(), lambda: f"{payload} not offered")
        before = len(member.received())
        if asked == "utter_ask_event_slug":
            member.choose(payload)
        else:
            member.say(answers[asked])
        asked = expect(member, before, *FORM)
        history.append(asked)
