"""The platform webhooks' own limits (bot/channels/limits.py, applied in bot/channels/base.py):
a body over the channel's limit is a 413 before anything is read or stored; a sender over the
rate limit is acknowledged (the platform would send the message again otherwise) but does not
reach Rasa: the first refused message of a burst gets "wait a few seconds" in the member's
language, the rest no reply at all.

WhatsApp (Meta's Cloud API) against a fake Graph API, a scripted "Rasa" (no model needed).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import SimpleNamespace

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.limits import SenderRateLimiter
from bot.channels.texts import TEXTS, localized_text
from bot.channels.whatsapp import WhatsAppInput
from kb.models import InboundMessage, User
from outbound.whatsapp import WhatsAppSettings
from tests.support.fake_platforms import (
    PHONE_NUMBER_ID,
    FakeApi,
    FakeTrackerStore,
    meta_signature,
    meta_text,
    meta_webhook,
    serve_channel,
)

SECRET = "limits-app-secret"
WA_ID = "212611223344"
PATH = "/webhooks/whatsapp/webhook"


class Rasa:
    """Answers every text with "reçu"."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message.text or "")
        await message.output_channel.send_response(message.sender_id, {"text": "reçu"})


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Hook(SimpleNamespace):
    channel: WhatsAppInput
    graph: FakeApi
    rasa: Rasa
    http: httpx.AsyncClient
    url: str

    async def post(self, body: bytes) -> httpx.Response:
        headers = {"X-Hub-Signature-256": meta_signature(body, SECRET)}
        return await self.http.post(self.url + PATH, content=body, headers=headers)

    async def send(self, *texts: str, first: int = 0) -> httpx.Response:
        messages = [meta_text(WA_ID, f"wamid.{first + i}", t) for i, t in enumerate(texts)]
        return await self.post(json.dumps(meta_webhook(messages)).encode())

    def bodies(self) -> list[str]:
        return [m["text"]["body"] for m in self.graph.messages(WA_ID) if m.get("type") == "text"]


@pytest.fixture()
async def hook(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Hook]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    async with FakeApi() as graph:
        settings = WhatsAppSettings(
            "verify", SECRET, "token", PHONE_NUMBER_ID, f"{graph.url}/v21.0"
        )
        channel = WhatsAppInput(settings)
        rasa = Rasa()
        agent = SimpleNamespace(tracker_store=FakeTrackerStore())
        async with serve_channel(channel, rasa, agent) as url, httpx.AsyncClient() as http:
            yield Hook(channel=channel, graph=graph, rasa=rasa, http=http, url=url)


def statuses(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        found = session.execute(
            select(InboundMessage.external_id, InboundMessage.status).order_by(InboundMessage.id)
        )
        return [(external_id, status) for external_id, status in found]


async def test_a_body_over_the_limit_is_a_413_and_nothing_is_stored(
    hook: Hook, engine: Engine
) -> None:
    limit = hook.channel.max_body
    huge = json.dumps(meta_webhook([meta_text(WA_ID, "wamid.big", "x" * limit)])).encode()
    answer = await hook.post(huge)
    assert answer.status_code == 413
    assert str(limit) in answer.text and "xxxx" not in answer.text
    assert statuses(engine) == [] and hook.rasa.received == []
    # A message of ordinary size still gets through afterwards.
    assert (await hook.send("bonjour")).status_code == 200
    assert await hook.channel.drain(timeout=10)
    assert hook.rasa.received == ["bonjour"]


async def test_a_flood_is_acknowledged_answered_once_politely_and_kept_from_rasa(
    hook: Hook, engine: Engine
) -> None:
    clock = Clock()
    hook.channel.limiter = SenderRateLimiter(1.0, 2, clock=clock)
    with Session(engine) as session:
        session.add(User(channel="whatsapp", channel_user_id=WA_ID, language="ar"))
        session.commit()
    flood = ["سلام", "بغيت نسجل", "واش كاين شي بعثة", "عافاك", "جاوبني"]
    assert (await hook.send(*flood)).status_code == 200  # acknowledged: Meta does not retry
    assert await hook.channel.drain(timeout=10)
    assert hook.rasa.received == flood[:2]
    assert hook.bodies() == ["reçu", "reçu", TEXTS["rate_limited"]["ar"]]
    assert [status for _, status in statuses(engine)] == ["done"] * 5  # nothing left over

    # Once the bucket refilled, the member is heard again.
    clock.now += 5
    assert (await hook.send("شكرا", first=10)).status_code == 200
    assert await hook.channel.drain(timeout=10)
    assert hook.rasa.received[-1] == "شكرا"


async def test_the_notice_is_in_all_three_languages_when_the_language_is_unknown(
    hook: Hook,
) -> None:
    hook.channel.limiter = SenderRateLimiter(0.001, 1, clock=Clock())
    assert (await hook.send("salam", "salam 3awtani")).status_code == 200
    assert await hook.channel.drain(timeout=10)
    assert hook.bodies() == ["reçu", localized_text("rate_limited", None)]
