"""Sending on Telegram: message splitting, button data, error mapping and the notifier."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from core.settings import SettingsError
from outbound import message as outbound
from outbound.callbacks import KEY_PREFIX, CallbackStore, payload_key
from outbound.telegram import (
    MAX_CALLBACK_BYTES,
    MAX_TEXT_UNITS,
    TelegramNotifier,
    outbound_error,
)
from outbound.text import split_text, utf16_units
from tests.support.fake_telegram import TOKEN, FakeTelegram

LONG_PAYLOAD = "/register_mission" + json.dumps({"event_slug": "sample-abidjan-b2b-mission-2027"})


@pytest.fixture()
def db(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return engine


@pytest.fixture()
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture()
async def notifier(fake: FakeTelegram) -> AsyncIterator[TelegramNotifier]:
    sender = TelegramNotifier(TOKEN, fake.base_url)
    yield sender
    await sender.close()


# --- splitting -----------------------------------------------------------------------------------


def test_utf16_units_count_emoji_twice() -> None:
    assert utf16_units("abc") == 3
    assert utf16_units("مرحبا") == 5
    assert utf16_units("🇲🇦") == 4  # two regional indicators outside the BMP
    assert utf16_units("é") == 1


def test_a_short_message_is_one_chunk() -> None:
    assert split_text("  Bonjour !  ") == ["Bonjour !"]
    assert split_text("") == []


def test_paragraph_boundaries_are_preferred() -> None:
    paragraphs = [f"Paragraphe {n}. " * 30 for n in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    chunks = split_text(text, limit=1000)
    assert all(utf16_units(c) <= 1000 for c in chunks)
    assert [p for c in chunks for p in c.split("\n\n")] == [p.strip() for p in paragraphs]


def test_then_lines_then_words() -> None:
    lines = "\n".join(f"ligne {n} " + "mot " * 10 for n in range(40))
    chunks = split_text(lines, limit=300)
    assert all(utf16_units(c) <= 300 for c in chunks)
    assert all(c.startswith("ligne") for c in chunks)
    words = " ".join(["exportation"] * 100)
    assert all(set(c.split()) == {"exportation"} for c in split_text(words, limit=100))


def test_a_word_longer_than_the_limit_is_cut_between_characters() -> None:
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


@pytest.mark.parametrize("limit", [5, 6, 7, 4096])
def test_a_surrogate_pair_is_never_split(limit: int) -> None:
    text = "🇲🇦😀" * 3000
    chunks = split_text(text, limit=limit)
    assert "".join(chunks) == text
    assert all(utf16_units(c) <= limit for c in chunks)
    # Every chunk is valid UTF-16: no lone surrogate.
    assert all(c.encode("utf-16-le").decode("utf-16-le") == c for c in chunks)


def test_arabic_text_is_cut_at_sentence_ends() -> None:
    sentence = "هل تشارك في البعثة التجارية إلى داكار؟ تجمع المصدرين المغاربة بشركائهم. "
    text = sentence * 200
    assert 3 * MAX_TEXT_UNITS < utf16_units(text) < 4 * MAX_TEXT_UNITS
    chunks = split_text(text)
    assert len(chunks) == 4
    assert all(utf16_units(c) <= MAX_TEXT_UNITS for c in chunks)
    assert all(c.endswith((".", "؟")) for c in chunks)
    assert " ".join(chunks) == text.strip()


# --- button data ---------------------------------------------------------------------------------


async def test_short_payloads_are_the_button_data(db: Engine) -> None:
    store = CallbackStore(MAX_CALLBACK_BYTES)
    assert await store.encode(["/help", "/affirm"]) == ["/help", "/affirm"]
    assert await store.decode("/help") == "/help"


async def test_long_payloads_get_a_stable_short_key(db: Engine) -> None:
    store = CallbackStore(MAX_CALLBACK_BYTES)
    (key,) = await store.encode([LONG_PAYLOAD])
    assert key == payload_key(LONG_PAYLOAD) and key.startswith(KEY_PREFIX)
    assert len(key.encode()) <= MAX_CALLBACK_BYTES < len(LONG_PAYLOAD.encode())
    assert await store.encode([LONG_PAYLOAD]) == [key]
    # Another process (or this one after a restart) reads it from the database.
    assert await CallbackStore(MAX_CALLBACK_BYTES).decode(key) == LONG_PAYLOAD


async def test_a_payload_that_looks_like_a_key_is_stored_too(db: Engine) -> None:
    store = CallbackStore(MAX_CALLBACK_BYTES)
    (data,) = await store.encode(["~tilde"])
    assert data != "~tilde"
    assert await CallbackStore(MAX_CALLBACK_BYTES).decode(data) == "~tilde"


async def test_an_unknown_key_decodes_to_none(db: Engine) -> None:
    assert await CallbackStore(MAX_CALLBACK_BYTES).decode(payload_key("never sent")) is None


async def test_keys_work_in_memory_while_the_database_is_down(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/kb.db")
    store = CallbackStore(MAX_CALLBACK_BYTES)
    (key,) = await store.encode([LONG_PAYLOAD])
    assert await store.decode(key) == LONG_PAYLOAD
    assert await CallbackStore(MAX_CALLBACK_BYTES).decode(key) is None


# --- error mapping -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RetryAfter(12), outbound.RateLimited),
        (Forbidden("Forbidden: bot was blocked by the user"), outbound.DeliveryError),
        (BadRequest("Bad Request: chat not found"), outbound.DeliveryError),
        (ChatMigrated(-100123), outbound.DeliveryError),
        (InvalidToken("Unauthorized"), outbound.DeliveryError),
        (TimedOut(), outbound.TransientError),
        (NetworkError("Bad Gateway"), outbound.TransientError),
        (Conflict("terminated by other getUpdates request"), outbound.TransientError),
        (TelegramError("Internal Server Error"), outbound.TransientError),
    ],
)
def test_telegram_errors_become_outbound_errors(error: TelegramError, expected: type) -> None:
    mapped = outbound_error(error)
    assert type(mapped) is expected
    if isinstance(mapped, outbound.RateLimited):
        assert mapped.retry_after == 12.0


# --- the notifier --------------------------------------------------------------------------------


def _message(**overrides: object) -> outbound.OutboundMessage:
    values: dict = {
        "recipient": "4242",
        "text": "Nouvelle mission : Dakar, du 1er au 3 décembre.",
        "language": "fr",
        "buttons": (
            outbound.Button("Voir les détails", LONG_PAYLOAD),
            outbound.Button("Arrêter les alertes", "/unsubscribe_alerts"),
        ),
        "key": "alert:1:2",
    }
    values.update(overrides)
    return outbound.OutboundMessage(**values)


def test_the_notifier_follows_the_protocol() -> None:
    notifier: outbound.Notifier = TelegramNotifier(TOKEN)
    assert (notifier.channel, notifier.max_rate_per_second, notifier.per_recipient_interval) == (
        "telegram",
        30.0,
        1.0,
    )


async def test_notifier_sends_text_and_inline_keyboard(
    db: Engine, fake: FakeTelegram, notifier: TelegramNotifier
) -> None:
    await notifier.send(_message())
    (sent,) = fake.calls_to("sendMessage")
    assert sent.chat_id == 4242
    assert sent.params["text"] == _message().text
    details, stop = sent.buttons
    assert stop == {"text": "Arrêter les alertes", "callback_data": "/unsubscribe_alerts"}
    # The channel (another process) resolves the key the notifier stored.
    assert await CallbackStore(MAX_CALLBACK_BYTES).decode(details["callback_data"]) == LONG_PAYLOAD


async def test_notifier_429_is_rate_limited_with_retry_after(
    db: Engine, fake: FakeTelegram, notifier: TelegramNotifier
) -> None:
    fake.fail("sendMessage", 429, retry_after=7)
    with pytest.raises(outbound.RateLimited) as raised:
        await notifier.send(_message())
    assert raised.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("status", "description", "expected"),
    [
        (403, "Forbidden: bot was blocked by the user", outbound.DeliveryError),
        (400, "Bad Request: chat not found", outbound.DeliveryError),
        (502, "Bad Gateway", outbound.TransientError),
        (500, "Internal Server Error", outbound.TransientError),
    ],
)
async def test_notifier_maps_http_errors(
    db: Engine,
    fake: FakeTelegram,
    notifier: TelegramNotifier,
    status: int,
    description: str,
    expected: type,
) -> None:
    fake.fail("sendMessage", status, description=description)
    with pytest.raises(expected):
        await notifier.send(_message())


async def test_notifier_with_a_rejected_token_fails_for_good(
    db: Engine, fake: FakeTelegram
) -> None:
    sender = TelegramNotifier("987654321:AAAnotherTokenNotKnownToTheFake_xyz", fake.base_url)
    with pytest.raises(outbound.DeliveryError, match="token"):
        await sender.send(_message())
    await sender.close()


async def test_notifier_network_down_is_transient(db: Engine) -> None:
    from tests.support.project import free_port

    sender = TelegramNotifier(TOKEN, f"http://127.0.0.1:{free_port()}/bot")
    with pytest.raises(outbound.TransientError):
        await sender.send(_message())
    await sender.close()


async def test_notifier_refuses_an_empty_message(notifier: TelegramNotifier) -> None:
    with pytest.raises(outbound.DeliveryError):
        await notifier.send(_message(text="  "))


def test_notifier_from_settings_fails_fast_on_a_placeholder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", "changeme")
    with pytest.raises(SettingsError, match="TELEGRAM_TOKEN"):
        TelegramNotifier.from_settings()


async def test_notifier_from_settings_uses_the_base_url(
    db: Engine, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.base_url)
    sender = TelegramNotifier.from_settings()
    await sender.send(_message(buttons=()))
    await sender.close()
    assert fake.sent_texts() == [_message().text]
