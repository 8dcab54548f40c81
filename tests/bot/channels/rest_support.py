"""What the REST channel's tests share: a fake Rasa, the channel served on a free port with a
fake tracker store, and a clock for its rate limit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
from rasa.core.channels.channel import UserMessage
from sqlalchemy.engine import Engine

from bot.channels.limits import SenderRateLimiter
from bot.channels.rest import CheckedRestInput
from kb.migrate import upgrade_to_head
from kb.session import make_engine
from tests.support.fake_platforms import FakeTrackerStore, serve_channel

PATH = "/webhooks/rest/webhook"
TOKEN = "rest-token-for-the-tests_0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class FakeRasa:
    """Stands in for Rasa: records messages, answers each with ``replies``, then maybe fails."""

    received: list[UserMessage] = field(default_factory=list)
    replies: list[str] = field(default_factory=lambda: ["Bonjour !"])
    error: Exception | None = None

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        for text in self.replies:
            await message.output_channel.send_text_message(message.sender_id, text)
        if self.error is not None:
            raise self.error


@dataclass
class Rest:
    url: str
    http: httpx.AsyncClient
    rasa: FakeRasa
    store: FakeTrackerStore

    async def post(
        self,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, Any] | None = None,
        **params: Any,
    ) -> Any:
        """POST to the webhook, with the channel's token unless ``headers`` say otherwise."""
        content = raw if raw is not None else json.dumps(body).encode()
        return await self.http.post(
            self.url + PATH,
            content=content,
            params=params or None,
            headers=AUTH if headers is None else headers,
        )


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def database(tmp_path: Path, monkeypatch: Any) -> Iterator[Engine]:
    """The knowledge base (users' chosen languages) in a temporary file, as DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    upgrade_to_head(url)
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def channel_with(clock: FakeClock) -> CheckedRestInput:
    """The channel with TOKEN, its rate limit (2 a second, 30 at once) on ``clock``."""
    return CheckedRestInput(TOKEN, SenderRateLimiter(2.0, 30, clock=clock))


@asynccontextmanager
async def serving(channel: CheckedRestInput) -> AsyncIterator[Rest]:
    """``channel`` served on a free port, over a fake Rasa and tracker store."""
    rasa, store = FakeRasa(), FakeTrackerStore()
    agent = SimpleNamespace(tracker_store=store)
    async with serve_channel(channel, rasa, agent) as url, httpx.AsyncClient() as http:
        yield Rest(url, http, rasa, store)
