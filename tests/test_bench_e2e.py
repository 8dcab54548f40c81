"""scripts/bench_e2e.py: think-time scenarios (the servers themselves are benchmarked by make)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import bench_e2e  # noqa: E402
from bench_e2e import BACK_TO_BACK, Pacing  # noqa: E402


@pytest.mark.parametrize(
    ("text", "expected", "label"),
    [
        ("0", Pacing(0, 0), "back-to-back"),
        ("2-8", Pacing(2, 8), "think 2-8 s"),
        (" 5 ", Pacing(5, 5), "think 5 s"),
        ("0.5-1.5", Pacing(0.5, 1.5), "think 0.5-1.5 s"),
    ],
)
def test_think_times_are_parsed(text: str, expected: Pacing, label: str) -> None:
    assert Pacing.parse(text) == expected
    assert expected.label == label


@pytest.mark.parametrize("text", ["8-2", "-1", "abc", "2-x"])
def test_wrong_think_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Pacing.parse(text)


def _run_user(monkeypatch: pytest.MonkeyPatch, pacing: Pacing, turns: int) -> list[float]:
    """Run one simulated user against a fake server; return the pauses it took."""
    pauses: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        pauses.append(seconds)

    async def fake_post(_session: Any, _url: str, sender: str, _text: str, _t: float) -> Any:
        return [{"recipient_id": sender, "text": "Bonjour"}]

    monkeypatch.setattr(bench_e2e.asyncio, "sleep", fake_sleep)
    monkeypatch.setattr(bench_e2e, "_post", fake_post)
    results = asyncio.run(
        bench_e2e.run_user(None, "http://x", 10, 3, turns, "t", 5.0, time.monotonic() + 60, pacing)
    )
    assert len(results) == turns
    assert all(r.failure != "not sent" for r in results)
    return pauses


def test_back_to_back_users_never_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run_user(monkeypatch, BACK_TO_BACK, 6) == []


def test_paced_users_start_at_random_and_think_before_each_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses = _run_user(monkeypatch, Pacing(2, 8), 6)
    assert len(pauses) == 6
    assert 0 <= pauses[0] <= 8
    assert all(2 <= p <= 8 for p in pauses[1:])
    assert len(set(pauses[1:])) > 1  # random, not one fixed delay
    # Seeded: the same user thinks the same way in every run.
    assert _run_user(monkeypatch, Pacing(2, 8), 6) == pauses


async def test_every_request_carries_the_rest_token() -> None:
    from aiohttp import web

    seen: list[str | None] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        sender = (await request.json())["sender"]
        return web.json_response([{"recipient_id": sender, "text": "Bonjour"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        results, _ = await bench_e2e.run_level(url, 3, 2, "t", 5.0, 60.0, BACK_TO_BACK, "tok")
    finally:
        await runner.cleanup()
    assert len(results) == 6 and seen == ["Bearer tok"] * 6
