"""The REST channel's closed door and limits (bot/channels/rest.py): its bearer token, its body
size, its per-sender rate."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from rasa.shared.core.events import SlotSet
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine

from bot.channels.limits import SenderRateLimiter
from bot.channels.rest import MAX_BODY, CheckedRestInput
from bot.channels.texts import TEXTS
from tests.bot.channels.rest_support import (
    PATH,
    TOKEN,
    FakeClock,
    FakeRasa,
    Rest,
    channel_with,
    database,
    serving,
)
from tests.support.fake_platforms import serve_channel


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    yield from database(tmp_path, monkeypatch)


@pytest.fixture()
def rate_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def channel(rate_clock: FakeClock) -> CheckedRestInput:
    return channel_with(rate_clock)


@pytest.fixture()
async def rest(db: Engine, channel: CheckedRestInput) -> AsyncIterator[Rest]:
    async with serving(channel) as served:
        yield served


# --- the token -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Bearer {TOKEN.upper()}"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"X-Rest-Token": TOKEN},
        {"Authorization": "Bearer تذكرة"},
    ],
)
async def test_a_message_without_the_token_gets_a_401_and_reaches_nobody(
    rest: Rest, headers: dict[str, str]
) -> None:
    encoded = {k: v.encode("utf-8") for k, v in headers.items()}  # bytes: any header value
    answer = await rest.post({"sender": "intruder", "message": "bonjour"}, headers=encoded)
    assert answer.status_code == 401
    assert "Bearer" in answer.json()["error"]
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert rest.rasa.received == []


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
async def test_the_scheme_is_case_insensitive_and_extra_spaces_are_ignored(
    rest: Rest, scheme: str
) -> None:
    answer = await rest.post(
        {"sender": "ok", "message": "salut"}, headers={"Authorization": f"{scheme}  {TOKEN}"}
    )
    assert answer.status_code == 200
    assert [m.text for m in rest.rasa.received] == ["salut"]


async def test_the_token_is_checked_before_anything_else(rest: Rest) -> None:
    for raw in (b"not json", b"x" * (MAX_BODY + 1)):
        answer = await rest.post(raw=raw, headers={})
        assert answer.status_code == 401


async def test_the_health_route_needs_no_token(rest: Rest) -> None:
    answer = await rest.http.get(rest.url + "/webhooks/rest/")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


async def test_an_empty_token_refuses_every_message(db: Engine) -> None:
    rasa = FakeRasa()
    async with serve_channel(CheckedRestInput(""), rasa) as url, httpx.AsyncClient() as http:
        for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer x"}):
            answer = await http.post(
                url + PATH, json={"sender": "a", "message": "hi"}, headers=headers
            )
            assert answer.status_code == 401
    assert rasa.received == []


def test_the_token_comes_from_rest_token(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("REST_TOKEN", "s3cret-token")
    with caplog.at_level(logging.WARNING, logger="bot.channels.rest"):
        channel = CheckedRestInput.from_credentials(None)
    assert isinstance(channel, CheckedRestInput) and channel.token == "s3cret-token"
    assert caplog.records == []


def test_an_empty_rest_token_is_said_once_at_start(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("REST_TOKEN", "")
    with caplog.at_level(logging.WARNING, logger="bot.channels.rest"):
        channel = CheckedRestInput.from_credentials(None)
    assert isinstance(channel, CheckedRestInput) and channel.token == ""
    (record,) = caplog.records
    assert "REST_TOKEN is empty" in record.getMessage() and "401" in record.getMessage()


# --- size and rate -------------------------------------------------------------------------------


async def test_a_body_over_the_limit_gets_a_413(rest: Rest) -> None:
    body = json.dumps({"sender": "big", "message": "x" * MAX_BODY}).encode()
    answer = await rest.post(raw=body)
    assert answer.status_code == 413
    assert str(MAX_BODY) in answer.json()["error"]
    assert rest.rasa.received == []


async def test_a_body_at_the_limit_is_read(rest: Rest) -> None:
    padding = MAX_BODY - len(json.dumps({"sender": "big", "message": ""}).encode())
    body = json.dumps({"sender": "big", "message": "x" * padding}).encode()
    assert len(body) == MAX_BODY
    answer = await rest.post(raw=body)
    assert answer.status_code == 200  # too long to parse: told so, in every language
    assert TEXTS["too_long"]["en"] in answer.json()[0]["text"]


async def test_deeply_nested_json_is_a_400(rest: Rest) -> None:
    answer = await rest.post(raw=b"[" * 30_000 + b"]" * 30_000)
    assert answer.status_code == 400


async def test_a_sender_over_the_rate_limit_is_told_politely_in_their_language(
    rest: Rest, rate_clock: FakeClock
) -> None:
    rest.store.trackers["rest:fast"] = DialogueStateTracker.from_events(
        "fast", [SlotSet("language", "ar")], slots=[TextSlot("language", mappings=[{}])]
    )
    for _ in range(30):
        assert (await rest.post({"sender": "fast", "message": "مرحبا"})).status_code == 200
    refused = await rest.post({"sender": "fast", "message": "واش كاينة شي بعثة؟"})
    assert refused.status_code == 429
    assert refused.json() == [{"recipient_id": "fast", "text": TEXTS["rate_limited"]["ar"]}]
    assert refused.headers["retry-after"] == "1"
    assert len(rest.rasa.received) == 30
    # Another sender is not slowed down; the first one may write again a moment later.
    assert (await rest.post({"sender": "calm", "message": "bonjour"})).status_code == 200
    rate_clock.now += 0.5
    assert (await rest.post({"sender": "fast", "message": "شكرا"})).status_code == 200
    assert [m.text for m in rest.rasa.received[-2:]] == ["bonjour", "شكرا"]


async def test_the_rate_limit_reply_streams_and_follows_the_hint(
    rest: Rest, channel: CheckedRestInput
) -> None:
    channel.limiter = SenderRateLimiter(1.0, 1, clock=FakeClock())
    body = {"sender": "s2", "message": "hello", "metadata": {"language_hint": "en"}}
    assert (await rest.post(body)).status_code == 200
    refused = await rest.post(body, stream="true")
    assert refused.status_code == 429
    (line,) = refused.text.splitlines()
    assert json.loads(line) == {"recipient_id": "s2", "text": TEXTS["rate_limited"]["en"]}


async def test_a_refused_request_does_not_use_up_the_rate(
    rest: Rest, channel: CheckedRestInput
) -> None:
    channel.limiter = SenderRateLimiter(1.0, 1, clock=FakeClock())
    for _ in range(5):
        await rest.post({"sender": "s3", "message": "x"}, headers={})
        await rest.post(raw=b'{"sender": "s3"}')
    assert (await rest.post({"sender": "s3", "message": "salam"})).status_code == 200
