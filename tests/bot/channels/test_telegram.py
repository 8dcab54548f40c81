"""The Telegram channel against a fake Bot API: webhook and polling, real Update JSON.

A fake "Rasa" (the on_new_message Rasa gives every input channel) records the UserMessages
and answers through their output channel, so no trained model is needed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from sanic import Sanic
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.choices import beyond
from bot.channels.telegram import SECRET_HEADER, TelegramInput
from bot.channels.telegram_updater import ALLOWED_UPDATES
from bot.channels.telegram_updates import command_text
from bot.channels.texts import channel_text
from core.settings import SettingsError
from kb.models import User
from outbound.telegram import MAX_TEXT_UNITS
from outbound.telegram_settings import TelegramSettings, TelegramSettingsError, telegram_settings
from outbound.text import utf16_units
from tests.support.fake_platforms import FakeTrackerStore, details_payload, event_cards
from tests.support.fake_telegram import (
    MEDIA,
    TOKEN,
    FakeTelegram,
    callback_update,
    edited_update,
    group_chat,
    message_update,
    next_update_id,
    user,
)
from tests.support.project import free_port

SECRET = "s3cret-token_for-the-webhook-0123456789"
WEBHOOK_URL = "https://bot.example.org/webhooks/telegram/webhook"
SLUG = "sample-dakar-b2b-mission-2026"
LONG_PAYLOAD = "/ask_mission_details" + json.dumps({"event_slug": SLUG})


@pytest.fixture()
def db(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A migrated database for de-duplication, stored button payloads and users."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    return engine


@pytest.fixture()
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@dataclass
class FakeRasa:
    """Rasa's on_new_message stand-in: answers ``replies[text]``, else an echo."""

    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    received: list[UserMessage] = field(default_factory=list)
    delays: dict[str, float] = field(default_factory=dict)
    fail: bool = False

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.sleep(self.delays.get(message.text or "", 0))
        if self.fail:
            raise RuntimeError("Rasa fell over")
        for reply in self.replies.get(message.text or "", [{"text": f"echo: {message.text}"}]):
            await message.output_channel.send_response(message.sender_id, dict(reply))

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]


@dataclass
class Running:
    """A Sanic server with the channel's blueprint, as Rasa mounts it."""

    channel: TelegramInput
    rasa: FakeRasa
    url: str
    client: httpx.AsyncClient

    async def post(
        self, update: Any, secret: str | None = SECRET, body: bytes | None = None
    ) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        content = body if body is not None else json.dumps(update).encode()
        return await self.client.post(
            f"{self.url}/webhooks/telegram/webhook", content=content, headers=headers
        )


@asynccontextmanager
async def running(channel: TelegramInput, rasa: FakeRasa | None = None) -> AsyncIterator[Running]:
    """Serve the channel until the block ends (listeners included, as `rasa run` does)."""
    rasa = rasa or FakeRasa()
    Sanic.test_mode = True  # several apps in one process (Sanic rewrites its protocol per app)
    app = Sanic(f"telegram_test_{uuid4().hex[:12]}", configure_logging=False)
    app.blueprint(channel.blueprint(rasa), url_prefix="/webhooks/telegram")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            yield Running(channel, rasa, f"http://127.0.0.1:{port}", client)
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


def settings(fake: FakeTelegram, mode: str = "webhook", **overrides: str) -> TelegramSettings:
    values = {
        "token": TOKEN,
        "mode": mode,
        "webhook_url": WEBHOOK_URL if mode == "webhook" else "",
        "secret_token": SECRET if mode == "webhook" else "",
        "base_url": fake.base_url,
        **overrides,
    }
    return telegram_settings(values)


@pytest.fixture()
async def webhook(db: Engine, fake: FakeTelegram) -> AsyncIterator[Running]:
    """The channel in webhook mode, its webhook registered with the fake."""
    async with running(TelegramInput(settings(fake))) as served:
        await fake.wait_for("setWebhook")
        yield served


# --- settings ------------------------------------------------------------------------------------


def test_empty_token_turns_the_channel_off() -> None:
    config = telegram_settings({"token": "", "mode": "polling", "webhook_url": ""})
    assert not config.enabled
    assert TelegramInput(config).bot is None


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({"token": "changeme"}, "placeholder"),
        ({"token": "CHANGEME"}, "placeholder"),
        ({"token": "not-a-token"}, "does not look like a bot token"),
        ({"token": TOKEN, "mode": "carrier-pigeon"}, "polling or webhook"),
        ({"token": TOKEN, "base_url": "api.telegram.org"}, "TELEGRAM_BASE_URL"),
        ({"token": TOKEN, "mode": "webhook", "secret_token": SECRET}, "TELEGRAM_WEBHOOK_URL"),
        ({"token": TOKEN, "mode": "webhook", "webhook_url": WEBHOOK_URL}, "TELEGRAM_SECRET_TOKEN"),
        (
            {"token": TOKEN, "mode": "webhook", "webhook_url": WEBHOOK_URL, "secret_token": "x"},
            "16 to 256",
        ),
        (
            {
                "token": TOKEN,
                "mode": "webhook",
                "webhook_url": WEBHOOK_URL,
                "secret_token": "changeme",
            },
            "TELEGRAM_SECRET_TOKEN",
        ),
        (
            {
                "token": TOKEN,
                "mode": "webhook",
                "webhook_url": "http://bot.example.org/webhooks/telegram/webhook",
                "secret_token": SECRET,
            },
            "https://",
        ),
    ],
)
def test_bad_settings_fail_fast_with_a_clear_error(
    credentials: dict[str, str], message: str
) -> None:
    with pytest.raises(TelegramSettingsError, match=message) as raised:
        TelegramInput.from_credentials(credentials)
    # Rasa's CLI prints RasaExceptions as one line instead of a traceback.
    assert isinstance(raised.value, RasaException)
    assert isinstance(raised.value, SettingsError)


def test_missing_section_is_rasas_missing_credentials_error() -> None:
    with pytest.raises(RasaException, match="credentials"):
        TelegramInput.from_credentials(None)


def test_the_projects_credentials_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """credentials.yml has the REST channel and the Telegram section, off when the token is
    empty."""
    from rasa.shared.utils.io import read_config_file

    from tests.support.project import CHANNEL_VARIABLES, ROOT

    for name in CHANNEL_VARIABLES:
        monkeypatch.setenv(name, "")
    credentials = read_config_file(str(ROOT / "credentials.yml"))
    assert "bot.channels.rest.CheckedRestInput" in credentials
    section = credentials["bot.channels.telegram.TelegramInput"]
    assert not TelegramInput.from_credentials(section).config.enabled

    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    section = read_config_file(str(ROOT / "credentials.yml"))["bot.channels.telegram.TelegramInput"]
    config = TelegramInput.from_credentials(section).config
    assert (config.enabled, config.mode, config.base_url) == (
        True,
        "polling",
        "https://api.telegram.org/bot",
    )

    # TELEGRAM_MODE=webhook, with the webhook's address and secret, from the same file.
    monkeypatch.setenv("TELEGRAM_MODE", "webhook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/webhooks/telegram/webhook")
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", "s" * 32)
    section = read_config_file(str(ROOT / "credentials.yml"))["bot.channels.telegram.TelegramInput"]
    config = TelegramInput.from_credentials(section).config
    assert (config.mode, config.secret_token) == ("webhook", "s" * 32)
    assert config.webhook_url == "https://bot.example.org/webhooks/telegram/webhook"

    monkeypatch.setenv("TELEGRAM_MODE", "push")
    section = read_config_file(str(ROOT / "credentials.yml"))["bot.channels.telegram.TelegramInput"]
    with pytest.raises(SettingsError, match="polling or webhook"):
        TelegramInput.from_credentials(section)


# --- commands ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", "/greet"),
        (f"/start mission_{SLUG}", LONG_PAYLOAD),
        (f"/start register_{SLUG}", '/register_mission{"event_slug": "' + SLUG + '"}'),
        ("/start something_else", "/greet"),
        ("/missions", "/ask_missions"),
        ("/missions@asmex_test_bot", "/ask_missions"),
        ("/aide", "/help"),
        ("/help", "/help"),
        ("/stop", "/unsubscribe_alerts"),
        ("/langue ar", '/change_language{"language": "ar"}'),
        ("/language English", '/change_language{"language": "en"}'),
        ("/langue العربية", '/change_language{"language": "ar"}'),
        ("/langue", None),
        ("/langue klingon", None),
        ("bonjour", "bonjour"),
        ("/inscription dakar", "/inscription dakar"),
        ('/register_mission{"event_slug": "x"}', '/register_mission{"event_slug": "x"}'),
    ],
)
def test_command_text(text: str, expected: str | None) -> None:
    assert command_text(text) == expected


def test_command_payloads_name_intents_of_the_domain() -> None:
    from rasa.shared.core.domain import Domain

    from tests.support.project import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    for text in ("/start", "/start mission_x", "/start register_x", "/missions", "/aide", "/stop"):
        intent = str(command_text(text))[1:].split("{")[0]
        assert intent in domain.intents, text
    assert "change_language" in domain.intents
    assert {"event_slug", "language"} <= set(domain.entities)


# --- webhook mode --------------------------------------------------------------------------------


async def test_webhook_is_registered_with_its_secret(webhook: Running, fake: FakeTelegram) -> None:
    (call,) = fake.calls_to("setWebhook")
    assert call.params["url"] == WEBHOOK_URL
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == list(ALLOWED_UPDATES)
    assert not fake.calls_to("deleteWebhook")


async def test_right_secret_message_reaches_rasa_and_gets_a_reply(
    webhook: Running, fake: FakeTelegram
) -> None:
    response = await webhook.post(message_update("bonjour", user_id=4242, language_code="ar"))
    assert response.status_code == 200
    (received,) = webhook.rasa.received
    assert (received.text, received.sender_id, received.input_channel) == (
        "bonjour",
        "telegram:4242",
        "telegram",
    )
    assert received.metadata == {"language_hint": "ar"}
    (sent,) = fake.calls_to("sendMessage")
    assert (sent.chat_id, sent.params["text"]) == (4242, "echo: bonjour")


async def test_no_language_code_no_hint(webhook: Running) -> None:
    await webhook.post(message_update("hello", language_code=None))
    assert webhook.rasa.received[0].metadata == {}


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-of-the-same-size-0123456789"])
async def test_missing_or_wrong_secret_is_refused(
    webhook: Running, fake: FakeTelegram, secret: str | None
) -> None:
    response = await webhook.post(message_update("bonjour"), secret=secret)
    assert response.status_code == 403
    assert webhook.rasa.received == []
    assert not fake.calls_to("sendMessage")


@pytest.mark.parametrize(
    "body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"message": {}}', b'{"update_id": "1"}']
)
async def test_a_body_that_is_not_an_update_is_a_400(webhook: Running, body: bytes) -> None:
    response = await webhook.post(None, body=body)
    assert response.status_code == 400
    assert webhook.rasa.received == []


def unreadable_update() -> dict[str, Any]:
    """Valid JSON with an update_id that python-telegram-bot 22.8 cannot read (a poll answer
    from before Bot API 9.6, without option_persistent_ids)."""
    answer = {"poll_id": "p1", "user": user(4242), "option_ids": [0]}
    return {"update_id": next_update_id(), "poll_answer": answer}


async def test_an_update_the_library_cannot_read_is_acknowledged(
    webhook: Running, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    bad = unreadable_update()
    response = await webhook.post(bad)
    assert response.status_code == 200  # a 4xx would make Telegram resend it again and again
    assert f"update {bad['update_id']} unreadable" in caplog.text
    assert webhook.rasa.received == []


async def test_channel_off_answers_503_and_says_so_once(
    db: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.channels.telegram")
    channel = TelegramInput(telegram_settings({"token": "", "mode": "webhook"}))
    async with running(channel) as served:
        response = await served.post(message_update("bonjour"))
        health = await served.client.get(f"{served.url}/webhooks/telegram/")
    assert response.status_code == 503
    assert health.json()["status"] == "off"
    assert served.rasa.received == []
    off = [r for r in caplog.records if "TELEGRAM_TOKEN is empty" in r.getMessage()]
    assert len(off) == 1


async def test_polling_mode_has_no_webhook(db: Engine, fake: FakeTelegram) -> None:
    async with running(TelegramInput(settings(fake, "polling"), poll_timeout=1)) as served:
        response = await served.post(message_update("bonjour"))
    assert response.status_code == 404


async def test_a_redelivered_update_gets_no_second_reply(
    webhook: Running, fake: FakeTelegram
) -> None:
    update = message_update("bonjour")
    assert (await webhook.post(update)).status_code == 200
    assert (await webhook.post(update)).status_code == 200
    assert webhook.rasa.texts == ["bonjour"]
    assert len(fake.calls_to("sendMessage")) == 1


async def test_typing_shows_while_rasa_works(webhook: Running, fake: FakeTelegram) -> None:
    webhook.rasa.delays["bonjour"] = 0.2
    await webhook.post(message_update("bonjour", user_id=77))
    methods = [c.method for c in fake.calls if c.method in ("sendChatAction", "sendMessage")]
    assert methods[0] == "sendChatAction"
    assert methods[-1] == "sendMessage"
    typing = fake.calls_to("sendChatAction")[0]
    assert (typing.chat_id, typing.params["action"]) == (77, "typing")


async def test_rasa_failing_gets_an_apology_not_a_500(webhook: Running, fake: FakeTelegram) -> None:
    webhook.rasa.fail = True
    response = await webhook.post(message_update("bonjour", language_code="en"))
    assert response.status_code == 200
    assert fake.sent_texts() == [channel_text("error", "en")]


async def test_telegram_refusing_a_reply_is_logged_not_raised(
    webhook: Running, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    response = await webhook.post(message_update("bonjour"))
    assert response.status_code == 200
    assert "blocked" in caplog.text


async def test_a_reply_hit_by_flood_control_is_sent_after_the_wait(
    webhook: Running, fake: FakeTelegram
) -> None:
    fake.fail("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    await webhook.post(message_update("bonjour"))
    assert time.monotonic() - started >= 1
    assert len(fake.calls_to("sendMessage")) == 2  # refused, then sent


# --- buttons -------------------------------------------------------------------------------------


async def test_buttons_become_an_inline_keyboard_and_a_press_reaches_rasa(
    webhook: Running, fake: FakeTelegram
) -> None:
    buttons = [
        {"title": "Détails de la mission de Dakar", "payload": LONG_PAYLOAD},
        {"title": "Aide", "payload": "/help"},
        {"title": "Site ASMEX", "payload": "https://www.asmex.org"},
    ]
    webhook.rasa.replies["/missions"] = []
    webhook.rasa.replies["/ask_missions"] = [{"text": "Missions à venir :", "buttons": buttons}]
    await webhook.post(message_update("/missions"))
    (sent,) = fake.calls_to("sendMessage")
    long_button, help_button, link = sent.buttons
    assert help_button == {"text": "Aide", "callback_data": "/help"}
    assert link == {"text": "Site ASMEX", "url": "https://www.asmex.org"}
    assert len(long_button["callback_data"].encode()) <= 64 < len(LONG_PAYLOAD.encode())

    for data in (help_button["callback_data"], long_button["callback_data"]):
        response = await webhook.post(callback_update(data))
        assert response.status_code == 200
    assert webhook.rasa.texts[-2:] == ["/help", LONG_PAYLOAD]
    assert len(fake.calls_to("answerCallbackQuery")) == 2


async def test_a_long_payload_survives_a_restart(
    db: Engine, fake: FakeTelegram, webhook: Running
) -> None:
    webhook.rasa.replies["menu"] = [
        {"text": "Choisissez", "buttons": [{"title": "Dakar", "payload": LONG_PAYLOAD}]}
    ]
    await webhook.post(message_update("menu"))
    key = fake.calls_to("sendMessage")[0].buttons[0]["callback_data"]
    async with running(TelegramInput(settings(fake))) as restarted:
        await restarted.post(callback_update(key))
    assert restarted.rasa.texts == [LONG_PAYLOAD]


async def test_an_unknown_button_key_gets_a_notice(webhook: Running, fake: FakeTelegram) -> None:
    await webhook.post(callback_update("~AAAAAAAAAAAAAAAAAAAAAA", language_code="ar"))
    assert webhook.rasa.received == []
    assert fake.calls_to("answerCallbackQuery")
    assert fake.sent_texts() == [channel_text("expired_button", "ar")]


# --- commands through the channel ----------------------------------------------------------------


async def test_deep_link_opens_the_event(webhook: Running) -> None:
    await webhook.post(message_update(f"/start mission_{SLUG}"))
    assert webhook.rasa.texts == [LONG_PAYLOAD]


async def test_a_typed_choice_reaches_rasa_as_the_button_it_picks(webhook: Running) -> None:
    """Telegram does not number inline keyboards: "2" or "التانية" after a list of events is
    the second event, read from the conversation in Rasa's tracker store."""
    cards = event_cards("dakar", "abidjan", "lagos")
    store = FakeTrackerStore()
    store.trackers["telegram:4242"] = DialogueStateTracker.from_events(
        "4242", [UserUttered("missions"), *cards], slots=[TextSlot("language", mappings=[{}])]
    )
    webhook.channel.app.ctx.agent = SimpleNamespace(tracker_store=store)
    for text in ("2", "التانية", "la dernière", "9", "bonjour"):
        assert (await webhook.post(message_update(text))).status_code == 200
    assert webhook.rasa.texts == [
        details_payload("abidjan"),
        details_payload("abidjan"),
        details_payload("lagos"),
        beyond(3),
        "bonjour",
    ]


@pytest.mark.parametrize(
    ("command", "payload"),
    [
        ("/missions", "/ask_missions"),
        ("/aide", "/help"),
        ("/help", "/help"),
        ("/stop", "/unsubscribe_alerts"),
        ("/langue en", '/change_language{"language": "en"}'),
    ],
)
async def test_commands_reach_rasa_as_intents(webhook: Running, command: str, payload: str) -> None:
    await webhook.post(message_update(command))
    assert webhook.rasa.texts == [payload]


async def test_bare_langue_shows_the_language_menu(webhook: Running, fake: FakeTelegram) -> None:
    await webhook.post(message_update("/langue", language_code="ar"))
    assert webhook.rasa.received == []
    (sent,) = fake.calls_to("sendMessage")
    assert sent.params["text"] == channel_text("choose_language", "ar")
    assert [b["callback_data"] for b in sent.buttons] == [
        '/change_language{"language": "fr"}',
        '/change_language{"language": "ar"}',
        '/change_language{"language": "en"}',
    ]
    await webhook.post(callback_update(sent.buttons[2]["callback_data"]))
    assert webhook.rasa.texts == ['/change_language{"language": "en"}']


async def test_stop_unsubscribes_the_telegram_user_from_every_alert(db: Engine) -> None:
    """/stop is Rasa's `/unsubscribe_alerts`: no entity, which the action reads as "all"."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from sqlalchemy import select

    from actions.alerts import ActionUnsubscribeAlerts
    from kb.models import AlertSubscription
    from tests.support.project import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    parsed = YAMLStoryReader.unpack_regex_message(
        Message({"text": str(command_text("/stop"))}), domain
    )
    latest = {"intent": parsed.get("intent"), "entities": parsed.get("entities"), "text": "/stop"}
    assert latest["intent"]["name"] == "unsubscribe_alerts" and latest["entities"] == []

    with Session(db) as session, session.begin():
        for who in ("4242", "other"):
            account = User(channel="telegram", channel_user_id=who)
            session.add(account)
            session.flush()
            for country, sector in (("KE", None), (None, "agrifood")):
                session.add(AlertSubscription(user_id=account.id, country=country, sector=sector))
    events = [{"event": "user", "text": "/stop", "parse_data": latest, "input_channel": "telegram"}]
    tracker = Tracker("4242", {"language": "fr"}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionUnsubscribeAlerts().run(dispatcher, tracker, {})

    assert dispatcher.messages[0]["response"] == "utter_alerts_unsubscribed_all"
    with Session(db) as session:
        rows = session.execute(
            select(User.channel_user_id, AlertSubscription.active).join(
                AlertSubscription, AlertSubscription.user_id == User.id
            )
        ).all()
    assert sorted(rows) == [("4242", False), ("4242", False), ("other", True), ("other", True)]


# --- what Rasa is not bothered with --------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(MEDIA))
@pytest.mark.parametrize(("language_code", "language"), [("fr", "fr"), ("ar", "ar"), ("es", "fr")])
async def test_media_get_a_polite_reply_in_the_users_language(
    webhook: Running, fake: FakeTelegram, kind: str, language_code: str, language: str
) -> None:
    response = await webhook.post(message_update(language_code=language_code, **MEDIA[kind]))
    assert response.status_code == 200
    assert webhook.rasa.received == []
    assert fake.sent_texts() == [channel_text("unsupported", language)]


async def test_an_edited_message_gets_a_notice(webhook: Running, fake: FakeTelegram) -> None:
    response = await webhook.post(edited_update("bonjour, je corrige", language_code="en"))
    assert response.status_code == 200
    assert webhook.rasa.received == []
    assert fake.sent_texts() == [channel_text("edited", "en")]


async def test_the_language_chosen_in_the_assistant_wins(
    db: Engine, webhook: Running, fake: FakeTelegram
) -> None:
    with Session(db) as session, session.begin():
        session.add(User(channel="telegram", channel_user_id="4242", language="ar"))
    await webhook.post(message_update(user_id=4242, language_code="en", **MEDIA["sticker"]))
    assert fake.sent_texts() == [channel_text("unsupported", "ar")]


def _other_updates() -> dict[str, dict[str, Any]]:
    member = {"user": user(4242), "status": "member"}
    kicked = {"user": user(4242), "status": "kicked", "until_date": 0}
    return {
        "group message": message_update("bonjour", chat=group_chat()),
        "group sticker": message_update(chat=group_chat(), **MEDIA["sticker"]),
        "channel post": {
            "update_id": next_update_id(),
            "channel_post": {
                "message_id": 9,
                "date": 1_764_000_000,
                "chat": {"id": -100999, "type": "channel", "title": "ASMEX news"},
                "text": "Nouvelle mission",
            },
        },
        "my_chat_member": {
            "update_id": next_update_id(),
            "my_chat_member": {
                "chat": {"id": 4242, "type": "private", "first_name": "Samira"},
                "from": user(4242),
                "date": 1_764_000_000,
                "old_chat_member": member,
                "new_chat_member": kicked,
            },
        },
        "poll answer": {
            "update_id": next_update_id(),
            "poll_answer": {
                "poll_id": "p1",
                "user": user(4242),
                "option_ids": [0],
                "option_persistent_ids": ["o1"],
            },
        },
        "service message": message_update(new_chat_title="x"),
    }


@pytest.mark.parametrize("kind", sorted(_other_updates()))
async def test_other_updates_are_acknowledged_silently(
    webhook: Running, fake: FakeTelegram, kind: str
) -> None:
    response = await webhook.post(_other_updates()[kind])
    assert response.status_code == 200
    assert webhook.rasa.received == []
    assert not fake.calls_to("sendMessage")


async def test_a_button_pressed_in_a_group_is_answered_but_not_handled(
    webhook: Running, fake: FakeTelegram
) -> None:
    await webhook.post(callback_update("/help", chat=group_chat()))
    assert fake.calls_to("answerCallbackQuery")
    assert webhook.rasa.received == []


# --- output --------------------------------------------------------------------------------------


async def test_a_long_reply_is_split_with_the_buttons_on_the_last_part(
    webhook: Running, fake: FakeTelegram
) -> None:
    paragraph = "Mission économique à Dakar 🇸🇳 : rencontres B2B, visites. " * 20
    text = "\n\n".join(f"{n}. {paragraph.strip()}" for n in range(8))
    assert utf16_units(text) > 2 * MAX_TEXT_UNITS
    webhook.rasa.replies["long"] = [
        {"text": text, "buttons": [{"title": "S'inscrire", "payload": "/register_mission"}]}
    ]
    await webhook.post(message_update("long"))
    sent = fake.calls_to("sendMessage")
    assert len(sent) == 3
    assert all(utf16_units(c.params["text"]) <= MAX_TEXT_UNITS for c in sent)
    assert [bool(c.buttons) for c in sent] == [False, False, True]
    assert all(c.params["text"].split("\n\n")[-1].endswith("visites.") for c in sent)
    parts = [p for c in sent for p in c.params["text"].split("\n\n")]
    assert parts == text.split("\n\n")


def _dakar_event() -> Any:
    """The event the mission-details action would send an .ics file for."""
    from datetime import date

    from kb.views import EventView, Texts

    return EventView(
        id=1,
        slug=SLUG,
        type="mission",
        title=Texts(fr="Mission B2B à Dakar", ar="بعثة الأعمال إلى داكار", en="B2B mission"),
        description=None,
        country="SN",
        city="Dakar",
        venue=None,
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 3),
        sectors=("agrifood",),
        organizer="ASMEX",
        registration_url="https://example.org/asmex/dakar",
        registration_deadline=None,
        fee_mad=None,
        capacity=None,
        status="open",
        sample=True,
        source_id=None,
        today=date(2026, 11, 22),
    )


async def test_the_calendar_file_is_sent_as_a_document(
    webhook: Running, fake: FakeTelegram
) -> None:
    from actions.ics import ics_payload

    custom = ics_payload(_dakar_event(), "fr")  # what action_mission_details sends
    webhook.rasa.replies["details"] = [{"text": "Détails"}, {"custom": custom}]
    await webhook.post(message_update("details"))
    (document,) = fake.calls_to("sendDocument")
    filename, content, mime_type = document.files["document"]
    assert filename == f"{SLUG}.ics"
    assert content.decode() == custom["content"]
    assert mime_type == "text/calendar"
    assert "BEGIN:VCALENDAR" in content.decode()


async def test_an_image_is_sent_as_a_photo(webhook: Running, fake: FakeTelegram) -> None:
    webhook.rasa.replies["photo"] = [{"image": "https://example.org/dakar.jpg"}]
    await webhook.post(message_update("photo"))
    (photo,) = fake.calls_to("sendPhoto")
    assert photo.params["photo"] == "https://example.org/dakar.jpg"


# --- polling mode --------------------------------------------------------------------------------


async def test_polling_fetches_updates_replies_and_stops_cleanly(
    db: Engine, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    first, second = message_update("un", user_id=1), message_update("deux", user_id=2)
    async with running(TelegramInput(settings(fake, "polling"), poll_timeout=5)) as served:
        fake.push(first)
        await fake.wait_for("sendMessage", 1)
        fake.push(second)
        await fake.wait_for("sendMessage", 2)
        await fake.wait_for("getUpdates", 3)  # the long poll after the second update
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 3  # the long poll is cancelled, not waited for

    methods = [c.method for c in fake.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert served.rasa.texts == ["un", "deux"]
    assert fake.sent_texts() == ["echo: un", "echo: deux"]
    offsets = [c.params.get("offset") for c in fake.calls_to("getUpdates")]
    assert str(second["update_id"] + 1) in offsets
    polls = fake.calls_to("getUpdates")
    assert all(c.params["allowed_updates"] == list(ALLOWED_UPDATES) for c in polls)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert "stopped" in caplog.text


async def test_polling_keeps_the_order_within_a_chat(db: Engine, fake: FakeTelegram) -> None:
    rasa = FakeRasa(delays={"un": 0.3})
    async with running(TelegramInput(settings(fake, "polling"), poll_timeout=1), rasa):
        fake.push(message_update("un", user_id=5), message_update("deux", user_id=5))
        await fake.wait_for("sendMessage", 2)
    assert rasa.texts == ["un", "deux"]
    assert fake.sent_texts() == ["echo: un", "echo: deux"]


async def test_polling_a_redelivered_update_is_answered_once(
    db: Engine, fake: FakeTelegram
) -> None:
    update = message_update("bonjour")
    async with running(TelegramInput(settings(fake, "polling"), poll_timeout=1)) as served:
        fake.push(update, dict(update))
        await fake.wait_for("sendMessage")
        await fake.wait_for("getUpdates", 3)
    assert served.rasa.texts == ["bonjour"]
    assert len(fake.calls_to("sendMessage")) == 1


async def test_polling_after_a_restart_skips_what_was_answered(
    db: Engine, fake: FakeTelegram
) -> None:
    """Telegram re-serves an update whose offset was never confirmed (the process died)."""
    update = message_update("bonjour")
    first = TelegramInput(settings(fake, "polling"), poll_timeout=1)
    async with running(first):
        fake.push(update)
        await fake.wait_for("sendMessage")
    fake.push(dict(update))  # as if the confirmation had been lost
    async with running(TelegramInput(settings(fake, "polling"), poll_timeout=1)) as second:
        await fake.wait_for("getUpdates", len(fake.calls_to("getUpdates")) + 2)
    assert second.rasa.received == []
    assert len(fake.calls_to("sendMessage")) == 1


async def test_polling_waits_out_flood_control_and_network_errors(
    db: Engine, fake: FakeTelegram
) -> None:
    fake.fail("getMe", 502)
    fake.fail("getUpdates", 429, retry_after=1)
    async with running(TelegramInput(settings(fake, "polling"), poll_timeout=1)) as served:
        fake.push(message_update("bonjour"))
        await fake.wait_for("sendMessage", timeout=10)
    assert served.rasa.texts == ["bonjour"]
    assert len(fake.calls_to("getMe")) >= 2


async def test_polling_skips_an_update_the_library_cannot_read(
    db: Engine, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    bad = unreadable_update()
    async with running(TelegramInput(settings(fake, "polling"), poll_timeout=1)) as served:
        fake.push(bad, message_update("bonjour"))
        await fake.wait_for("sendMessage")
    assert served.rasa.texts == ["bonjour"]
    assert f"update {bad['update_id']} unreadable; skipped" in caplog.text


async def test_a_rejected_token_stops_polling_with_a_clear_error(
    db: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeTelegram(token="987654321:AAOtherTokenTheFakeKnows_abcdefghij")
    await fake.start()
    try:
        async with running(TelegramInput(settings(fake, "polling"), poll_timeout=1)):
            await fake.wait_for("getMe")
            await asyncio.sleep(0.2)
    finally:
        await fake.stop()
    assert "rejected TELEGRAM_TOKEN" in caplog.text
    assert not fake.calls_to("getUpdates")
