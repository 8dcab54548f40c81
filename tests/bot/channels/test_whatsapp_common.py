"""What the two WhatsApp channels share: texts, splitting, numbered choices, the queue."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from bot.channels.texts import TEXTS
from bot.channels.whatsapp_common import (
    SenderQueue,
    numbered_list,
    parse_language_map,
    unsupported_reply,
    within_window,
)
from core.settings import SettingsError, check_secret
from outbound.text import split_text, truncate


def test_unsupported_reply_in_one_language_or_all_three() -> None:
    assert unsupported_reply("ar") == TEXTS["unsupported"]["ar"]
    assert "عذرًا" in TEXTS["unsupported"]["ar"]
    everything = unsupported_reply(None)
    assert all(TEXTS["unsupported"][code] in everything for code in ("fr", "ar", "en"))
    assert unsupported_reply("de") == everything


@pytest.mark.parametrize("limit", [10, 50, 4096])
def test_split_text_keeps_every_character_within_the_limit(limit: int) -> None:
    text = "\n".join(f"ligne {i} " + "mot " * (i % 7) for i in range(60))
    parts = split_text(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


def test_split_text_cuts_between_lines_and_a_long_word_anywhere() -> None:
    assert split_text("aaa\nbbb\nccc", 7) == ["aaa\nbbb", "ccc"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("  \n ", 10) == []


def test_truncate_adds_an_ellipsis_only_when_cutting() -> None:
    assert truncate("Oui", 20) == "Oui"
    cut = truncate("Mission B2B à Dakar (15-18 mars)", 20)
    assert len(cut) == 20 and cut.endswith("…")
    assert truncate("a  b\nc", 20) == "a b c"


def test_numbered_list() -> None:
    buttons = [{"title": "Oui", "payload": "/affirm"}, {"payload": "/deny"}]
    assert numbered_list("Confirmez ?", buttons) == "Confirmez ?\n\n1. Oui\n2. /deny"
    assert numbered_list("", buttons) == "1. Oui\n2. /deny"


def test_within_window() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    assert within_window(now - timedelta(hours=23, minutes=59), now)
    assert not within_window(now - timedelta(hours=24), now)
    assert not within_window(None, now)
    assert within_window(datetime(2026, 11, 22, 11), now)  # naive = UTC (SQLite)


def test_parse_language_map() -> None:
    default = {"fr": "fr", "ar": "ar", "en": "en"}
    assert parse_language_map("", default) == default
    assert parse_language_map("en=en_US, ar=ar", default) == {"fr": "fr", "ar": "ar", "en": "en_US"}
    assert parse_language_map("HX123", {}) == {"fr": "HX123", "ar": "HX123", "en": "HX123"}
    with pytest.raises(SettingsError):
        parse_language_map("de=de", default)


@pytest.mark.parametrize("value", ["", "  ", "changeme", "TODO", None])
def test_check_secret_refuses_placeholders(value: str | None) -> None:
    with pytest.raises(SettingsError, match="WHATSAPP_APP_SECRET"):
        check_secret("WHATSAPP_APP_SECRET", value)


async def test_sender_queue_keeps_each_sender_in_order_and_others_in_parallel() -> None:
    queue, done = SenderQueue(), []
    release = asyncio.Event()

    async def job(name: str, wait: bool = False) -> None:
        if wait:
            await release.wait()
        done.append(name)

    queue.schedule("a", lambda: job("a1", wait=True))
    queue.schedule("a", lambda: job("a2"))
    queue.schedule("b", lambda: job("b1"))
    await asyncio.sleep(0.05)
    assert done == ["b1"]  # a2 waits for a1, b does not
    assert not await queue.drain(timeout=0.05)
    release.set()
    assert await queue.drain(timeout=1)
    assert done == ["b1", "a1", "a2"]
    assert queue.pending == 0


async def test_a_failing_job_does_not_stop_the_next(caplog: pytest.LogCaptureFixture) -> None:
    queue, done = SenderQueue(), []

    async def boom() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        done.append("fine")

    queue.schedule("a", boom)
    queue.schedule("a", fine)
    assert await queue.drain(timeout=1)
    assert done == ["fine"]
    assert "boom" in caplog.text
