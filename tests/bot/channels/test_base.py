"""What every input channel shares: the "text only" notice and the per-sender queue."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.base import SenderQueue, unsupported_reply
from bot.channels.texts import TEXTS


def test_unsupported_reply_in_one_language_or_all_three() -> None:
    assert unsupported_reply("ar") == TEXTS["unsupported"]["ar"]
    assert "عذرًا" in TEXTS["unsupported"]["ar"]
    everything = unsupported_reply(None)
    assert all(TEXTS["unsupported"][code] in everything for code in ("fr", "ar", "en"))
    assert unsupported_reply("de") == everything


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
