"""Whole conversations over the Telegram channel: the real servers and a fake Bot API.

`rasa run` serves the channel from the project's credentials.yml
(bot.channels.telegram.TelegramInput); its replies go to the fake Telegram server of
tests/support/fake_telegram.py. The webhook tests
use the servers of conftest.py, so they run on both stacks (SQLite; PostgreSQL + Redis with
two Sanic workers, each of which registers the webhook). The test plays Telegram: it posts
real Update JSON to the webhook address the bot registered, with the secret token, and reads
the replies from the fake once the webhook call returns. Buttons are pressed with
callback_query updates carrying the button's callback data. The registrations (the same
French and Darija scripts as tests/e2e/test_conversations.py, other phone numbers) end in the
database. A last test runs `make run`'s configuration: polling, from the same credentials.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.telegram import SECRET_HEADER
from kb.models import AlertSubscription, CallbackPayload, Registration, User
from kb.session import make_engine
from tests.e2e.conftest import E2E_TODAY, TELEGRAM_SECRET, Stack
from tests.e2e.servers import Servers, running_servers
from tests.e2e.stack import prepare_database
from tests.e2e.test_conversations import (
    ABIDJAN,
    DAKAR,
    assert_said,
    invalid_ice,
    payloads,
    register_payload,
    registrations,
    texts,
    to_arabic_indic,
    valid_ice,
)
from tests.support.fake_telegram import (
    TOKEN,
    Call,
    ThreadedFakeTelegram,
    callback_update,
    fake_telegram_in_thread,
    message_update,
)

pytestmark = pytest.mark.model


@dataclass
class Webhook:
    """The Rasa server with Telegram in webhook mode, and the fake Bot API it talks to."""

    servers: Servers
    telegram: ThreadedFakeTelegram
    engine: Engine

    def post(self, update: dict[str, Any], secret: str = TELEGRAM_SECRET) -> int:
        """Deliver an update as Telegram does, to the registered webhook; the HTTP status."""
        registration = self.telegram.calls_to("setWebhook")[-1]
        path = urlparse(str(registration.params["url"])).path
        request = urllib.request.Request(
            self.servers.rasa_url + path,
            data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json", SECRET_HEADER: secret},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


@pytest.fixture(scope="module")
def webhook(stack: Stack) -> Iterator[Webhook]:
    """The stack's servers, once every Rasa worker has registered the Telegram webhook."""
    telegram = stack.telegram
    telegram.wait_until(
        lambda: len(telegram.calls_to("setWebhook")) >= stack.workers, 60, "setWebhook"
    )
    engine = make_engine(stack.database_url)
    yield Webhook(stack.servers, telegram, engine)
    engine.dispose()


def reply_dicts(calls: list[Call], engine: Engine) -> list[dict[str, Any]]:
    """sendMessage calls as REST-channel replies: text, and buttons with their payloads
    (a short key is looked up where the server stored it)."""
    replies = []
    for call in calls:
        buttons = []
        for button in call.buttons:
            data = str(button.get("callback_data") or button.get("url"))
            with Session(engine) as session:
                stored = session.get(CallbackPayload, data)
            payload = str(stored.payload) if stored is not None else data
            buttons.append({"title": button["text"], "payload": payload, "data": data})
        replies.append({"text": call.params["text"], "buttons": buttons})
    return replies


@dataclass
class TelegramChat:
    """One Telegram user talking to the bot; every message must get at least one reply."""

    hook: Webhook
    user_id: int
    language_code: str
    log: list[tuple[str, str]] = field(default_factory=list)
    last: list[dict[str, Any]] = field(default_factory=list)
    #: Every button the bot showed this user: payload -> callback data (the latest wins).
    shown: dict[str, str] = field(default_factory=dict)

    def _deliver(self, update: dict[str, Any], label: str) -> list[dict[str, Any]]:
        sent_before = len(self.hook.telegram.calls_to("sendMessage", "sendDocument"))
        assert self.hook.post(update) == 200
        new = self.hook.telegram.calls_to("sendMessage", "sendDocument")[sent_before:]
        assert all(call.chat_id == self.user_id for call in new)
        messages = [call for call in new if call.method == "sendMessage"]
        self.last = reply_dicts(messages, self.hook.engine)
        self.shown.update({b["payload"]: b["data"] for r in self.last for b in r["buttons"]})
        self.log.append((label, texts(self.last)))
        assert self.last, f"no reply to {label!r} ({self.user_id})"
        return self.last

    def say(self, text: str) -> list[dict[str, Any]]:
        update = message_update(text, user_id=self.user_id, language_code=self.language_code)
        return self._deliver(update, text)

    def press(self, payload: str) -> list[dict[str, Any]]:
        """Press a button the bot showed (in its last replies or earlier) by its payload."""
        data = self.shown.get(payload)
        assert data is not None, f"no button {payload} among {sorted(self.shown)}"
        answered = len(self.hook.telegram.calls_to("answerCallbackQuery"))
        update = callback_update(data, user_id=self.user_id, language_code=self.language_code)
        replies = self._deliver(update, f"[{payload}]")
        assert len(self.hook.telegram.calls_to("answerCallbackQuery")) == answered + 1
        return replies


def telegram_user(engine: Engine, registration_phone: str) -> tuple[str, str]:
    """(channel, channel_user_id) of the user who registered with this phone."""
    with Session(engine) as session:
        row = session.execute(
            select(User.channel, User.channel_user_id)
            .join(Registration, Registration.user_id == User.id)
            .where(Registration.phone == registration_phone)
        ).one()
    return str(row[0]), str(row[1])


# --- registrations -------------------------------------------------------------------------------


def test_registration_in_french_over_telegram(webhook: Webhook) -> None:
    chat, lang = TelegramChat(webhook, 7_000_001, "fr"), "fr"
    ice = valid_ice("0015258220001")

    assert_said(chat.say("/start"), "utter_greet", lang=lang)
    replies = chat.say("je veux m'inscrire à une mission")
    assert_said(replies, "utter_ask_event_slug", lang=lang)
    assert register_payload(DAKAR) in payloads(replies)

    # Consent first (law 09-08), with its two buttons.
    assert_said(chat.press(register_payload(DAKAR)), "utter_ask_consent", lang=lang)
    assert_said(chat.press("/affirm"), "utter_ask_company_name", lang=lang)
    assert_said(chat.say("Atlas Export SARL"), "utter_ask_ice", lang=lang)
    replies = chat.say(invalid_ice(ice))
    assert_said(replies, "utter_registration_invalid_ice", lang=lang)
    assert_said(replies, "utter_ask_ice", lang=lang)
    assert_said(chat.say(ice), "utter_ask_contact_name", lang=lang)
    assert_said(chat.say("Samira Alaoui"), "utter_ask_email", lang=lang)
    assert_said(chat.say("Samira@Atlas-Export.ma"), "utter_ask_phone", lang=lang)
    assert_said(chat.say("0612000011"), "utter_ask_sector", lang=lang)

    summary = chat.say("agroalimentaire")
    assert_said(summary, "utter_ask_registration_confirmed", lang=lang)
    for value in ("Atlas Export SARL", ice, "Samira Alaoui", "+212612000011", "Dakar"):
        assert value in texts(summary)
    assert registrations(webhook.engine, phone="+212612000011") == []

    done = chat.press("/affirm")
    assert_said(done, "utter_registration_done", lang=lang)

    (saved,) = registrations(webhook.engine, phone="+212612000011")
    assert (saved.event_slug, saved.company_name, saved.ice, saved.email, saved.sector) == (
        DAKAR,
        "Atlas Export SARL",
        ice,
        "samira@atlas-export.ma",
        "agrifood",
    )
    assert telegram_user(webhook.engine, "+212612000011") == ("telegram", "7000001")

    # The same button again: told they are registered, nothing new saved.
    assert_said(chat.press(register_payload(DAKAR)), "utter_registration_already", lang=lang)
    assert len(registrations(webhook.engine, phone="+212612000011")) == 1


def test_registration_in_darija_over_telegram(webhook: Webhook) -> None:
    chat, lang = TelegramChat(webhook, 7_000_002, "ar"), "ar"
    ice = valid_ice("0024681357000")

    replies = chat.say("بغيت نتسجل فشي بعثة")
    assert_said(replies, "utter_ask_event_slug", lang=lang)
    assert_said(chat.press(register_payload(ABIDJAN)), "utter_ask_consent", lang=lang)
    assert_said(chat.say("إيه موافق عافاك"), "utter_ask_company_name", lang=lang)
    assert_said(chat.say("شركة سوس للتصدير"), "utter_ask_ice", lang=lang)
    replies = chat.say(to_arabic_indic(invalid_ice(ice)))
    assert_said(replies, "utter_registration_invalid_ice", lang=lang)
    assert_said(chat.say(to_arabic_indic(ice)), "utter_ask_contact_name", lang=lang)
    assert_said(chat.say("يوسف البناني"), "utter_ask_email", lang=lang)
    assert_said(chat.say("youssef@souss-export.ma"), "utter_ask_phone", lang=lang)
    assert_said(chat.say("٠٦٦١٠٠٠٠١٢"), "utter_ask_sector", lang=lang)

    summary = chat.say("الصناعات الغذائية")
    assert_said(summary, "utter_ask_registration_confirmed", lang=lang)
    for value in ("شركة سوس للتصدير", ice, "يوسف البناني", "+212661000012", "أبيدجان"):
        assert value in texts(summary)

    assert_said(chat.press("/affirm"), "utter_registration_done", lang=lang)
    (saved,) = registrations(webhook.engine, phone="+212661000012")
    assert (saved.event_slug, saved.company_name, saved.contact_name, saved.sector) == (
        ABIDJAN,
        "شركة سوس للتصدير",
        "يوسف البناني",
        "agrifood",
    )
    assert telegram_user(webhook.engine, "+212661000012") == ("telegram", "7000002")


# --- the rest of the channel ---------------------------------------------------------------------


def said_by_user(stack: Stack, sender: str) -> list[str]:
    """The texts of the user events the tracker store holds for ``sender``."""
    events = stack.stored_events(sender)
    return [str(e.get("text")) for e in events if e.get("event") == "user"]


def test_a_rest_client_cannot_reach_a_telegram_members_conversation(
    webhook: Webhook, stack: Stack
) -> None:
    """Conversations are keyed by channel: posting a Telegram user's id (or its conversation
    id) to the REST channel opens a REST conversation of its own, which sees nothing of the
    member's and changes nothing in it."""
    chat, lang = TelegramChat(webhook, 7_000_009, "fr"), "fr"
    chat.say("je veux m'inscrire à une mission")
    assert_said(chat.press(register_payload(DAKAR)), "utter_ask_consent", lang=lang)
    assert_said(chat.press("/affirm"), "utter_ask_company_name", lang=lang)
    assert_said(chat.say("Saphir Export SARL"), "utter_ask_ice", lang=lang)

    for forged in ("7000009", "telegram:7000009"):
        replies = stack.servers.send(forged, "oui")
        assert "Saphir" not in texts(replies)
        replies = stack.servers.send(forged, "supprime mes données")
        assert "Saphir" not in texts(replies)
        assert all(reply["recipient_id"] == forged for reply in replies)
        assert "supprime mes données" in said_by_user(stack, f"rest:{forged}")

    member = said_by_user(stack, "telegram:7000009")
    assert "Saphir Export SARL" in member and "supprime mes données" not in member
    # The member's form goes on where it was: the ICE is the next question answered.
    assert_said(chat.say(valid_ice("0015258220009")), "utter_ask_contact_name", lang=lang)


def test_deep_link_shows_the_event_with_its_calendar_file(webhook: Webhook) -> None:
    chat = TelegramChat(webhook, 7_000_003, "fr")
    documents = len(webhook.telegram.calls_to("sendDocument"))
    replies = chat.say(f"/start mission_{DAKAR}")
    assert_said(replies, "utter_mission_details", lang="fr")
    (document,) = webhook.telegram.calls_to("sendDocument")[documents:]
    filename, content, mime_type = document.files["document"]
    assert (filename, mime_type) == (f"{DAKAR}.ics", "text/calendar")
    assert b"BEGIN:VEVENT" in content


def test_stop_ends_every_alert(webhook: Webhook) -> None:
    chat = TelegramChat(webhook, 7_000_004, "fr")
    assert_said(
        chat.say("préviens-moi des missions au Kenya dans l'agroalimentaire"),
        "utter_alerts_subscribed",
        lang="fr",
    )
    second = chat.say("previens moi quand il y a un salon en Allemagne")
    assert_said(second, "utter_alerts_subscribed", lang="fr")
    assert_said(chat.say("/stop"), "utter_alerts_unsubscribed_all", lang="fr")
    with Session(webhook.engine) as session:
        states = session.scalars(
            select(AlertSubscription.active)
            .join(User, User.id == AlertSubscription.user_id)
            .where(User.channel == "telegram", User.channel_user_id == "7000004")
        ).all()
    assert len(states) >= 2 and not any(states)


def test_a_sticker_gets_a_polite_arabic_reply(webhook: Webhook) -> None:
    from bot.channels.texts import channel_text
    from tests.support.fake_telegram import MEDIA

    chat = TelegramChat(webhook, 7_000_005, "ar")
    update = message_update(user_id=chat.user_id, language_code="ar", **MEDIA["sticker"])
    assert texts(chat._deliver(update, "[sticker]")) == channel_text("unsupported", "ar")


def test_a_wrong_secret_is_refused(webhook: Webhook) -> None:
    before = len(webhook.telegram.calls_to("sendMessage"))
    assert webhook.post(message_update("bonjour", user_id=7_000_006), secret="wrong") == 403
    assert len(webhook.telegram.calls_to("sendMessage")) == before


# --- polling, as `make run` serves it ------------------------------------------------------------


def test_polling_from_the_projects_credentials(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp("telegram-polling")
    database_url = f"sqlite:///{workdir / 'kb.db'}"
    prepare_database(database_url)
    with fake_telegram_in_thread() as telegram:
        env = {
            "DATABASE_URL": database_url,
            "ASMEX_TODAY": E2E_TODAY,
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": telegram.base_url,
        }
        with running_servers(trained_model, workdir, env):
            telegram.push(message_update("السلام عليكم", user_id=7_100_001, language_code="ar"))
            telegram.push(message_update("/aide", user_id=7_100_002, language_code="en"))
            telegram.wait_until(
                lambda: {c.chat_id for c in telegram.calls_to("sendMessage")} >= {7100001, 7100002},
                90,
                "replies to both users",
            )
        replies = reply_dicts(telegram.calls_to("sendMessage"), make_engine(database_url))
    methods = [c.method for c in telegram.calls_to("getMe", "deleteWebhook", "getUpdates")]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    chats = [c.chat_id for c in telegram.calls_to("sendMessage")]
    arabic = [r for r, chat in zip(replies, chats, strict=True) if chat == 7100001]
    assert_said(arabic, "utter_greet", lang="ar")
    english = [r for r, chat in zip(replies, chats, strict=True) if chat == 7100002]
    assert "/ask_missions" in payloads(english)
    log = (workdir / "rasa.log").read_text()
    assert "is polling for updates" in log
    assert "Telegram channel stopped." in log
    assert "Traceback" not in log
