"""The console's door into the Rasa server (bot.channels.console): take, reply, hand back
behind CONSOLE_RASA_TOKEN, the member told on their own channel (a fake Bot API, a fake Graph
API and Twilio), failed replies tried again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.console import ConsoleInput
from kb.handoff_live import get_live, transcript
from kb.handoffs import request_handoff
from kb.models import User
from kb.staff import create_staff
from kb.users import get_or_create_user
from outbound import handoff_delivery
from tests.bot.channels.rest_support import database
from tests.support.fake_platforms import FakeApi, serve_channel
from tests.support.fake_telegram import TOKEN, FakeTelegram

CONSOLE_TOKEN = "console-rasa-token-for-the-tests_0123"
AUTH = {"Authorization": f"Bearer {CONSOLE_TOKEN}"}
CHAT = 4242


@pytest.fixture()
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    yield from database(tmp_path, monkeypatch)


@pytest.fixture()
async def telegram(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.base_url)
    try:
        yield fake
    finally:
        await fake.stop()


def new_handoff(
    engine: Engine, *, channel: str = "telegram", user: str = str(CHAT), language: str = "ar"
) -> tuple[int, int]:
    """A member's open handoff and an admin's id."""
    with Session(engine) as session, session.begin():
        member = get_or_create_user(session, channel=channel, channel_user_id=user)
        session.execute(
            update(User)
            .where(User.id == member.id)
            .values(last_inbound_at=datetime.now(timezone.utc) - timedelta(minutes=5))
        )
        handoff = request_handoff(session, user_id=member.id, language=language).handoff
        staff = create_staff(
            session, email=f"s{abs(hash(user))}@asmex.ma", role="admin", password="p" * 12
        )
        return handoff.id, staff.id


async def post(url: str, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{url}/webhooks/console/handoffs/{path}",
            json=body,
            headers=AUTH if headers is None else headers,
        )


async def no_message(_: Any) -> None:
    raise AssertionError("the console channel hands nothing to Rasa")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": CONSOLE_TOKEN}],
    ids=["none", "wrong", "not-bearer"],
)
async def test_every_route_needs_the_token(engine: Engine, headers: dict[str, str]) -> None:
    handoff_id, staff_id = new_handoff(engine)
    async with serve_channel(ConsoleInput(CONSOLE_TOKEN), no_message) as url:
        for path in ("take", "reply", "hand-back"):
            body = {"staff_id": staff_id, "text": "x"}
            answer = await post(url, f"{handoff_id}/{path}", body, headers)
            assert answer.status_code == 401, path
    with Session(engine) as session:
        assert get_live(session, handoff_id=handoff_id).status == "open"


async def test_an_empty_token_refuses_everything(engine: Engine) -> None:
    handoff_id, staff_id = new_handoff(engine)
    async with serve_channel(ConsoleInput(""), no_message) as url:
        answer = await post(
            url, f"{handoff_id}/take", {"staff_id": staff_id}, {"Authorization": "Bearer x"}
        )
        assert answer.status_code == 401


async def test_take_reply_hand_back_over_telegram(engine: Engine, telegram: FakeTelegram) -> None:
    handoff_id, staff_id = new_handoff(engine)
    async with serve_channel(ConsoleInput(CONSOLE_TOKEN), no_message) as url:
        taken = await post(url, f"{handoff_id}/take", {"staff_id": staff_id})
        assert taken.status_code == 200
        assert taken.json()["status"] == "taken" and taken.json()["delivery"] == "sent"
        assert telegram.sent_texts(CHAT)[-1].startswith("انضم مستشار من ASMEX")

        reply = await post(
            url, f"{handoff_id}/reply", {"staff_id": staff_id, "text": "مرحبا، المعرض في دبي"}
        )
        assert reply.status_code == 200 and reply.json()["delivery"] == "sent"
        assert telegram.sent_texts(CHAT)[-1] == "مرحبا، المعرض في دبي"

        back = await post(url, f"{handoff_id}/hand-back", {"staff_id": staff_id})
        assert back.status_code == 200 and back.json()["status"] == "closed"
        handed, rate = telegram.calls_to("sendMessage")[-2:]
        assert str(handed.params["text"]).startswith("أعادكم المستشار إلى مساعد ASMEX")
        assert str(rate.params["text"]).startswith("كيف تقيمون المساعدة")
        keyboard = rate.params["reply_markup"]["inline_keyboard"]
        assert [b["text"] for row in keyboard for b in row] == ["⭐" * n for n in range(1, 6)]

        again = await post(url, f"{handoff_id}/reply", {"staff_id": staff_id, "text": "encore"})
        assert again.status_code == 409
    with Session(engine) as session:
        lines = transcript(session, handoff_id=handoff_id)
    assert [(line.direction, line.delivery_status) for line in lines] == [
        ("system", "none"),
        ("staff", "sent"),
        ("system", "none"),
    ]


async def test_bad_requests(engine: Engine) -> None:
    handoff_id, staff_id = new_handoff(engine)
    async with serve_channel(ConsoleInput(CONSOLE_TOKEN), no_message) as url:
        assert (
            await post(url, f"{handoff_id + 50}/take", {"staff_id": staff_id})
        ).status_code == 404
        assert (await post(url, f"{handoff_id}/take", {"staff_id": "1"})).status_code == 400
        assert (await post(url, f"{handoff_id}/take", [1])).status_code == 400
        reply = {"staff_id": staff_id, "text": "  "}
        assert (await post(url, f"{handoff_id}/reply", reply)).status_code == 400
        reply["text"] = "Bonjour"
        assert (await post(url, f"{handoff_id}/reply", reply)).status_code == 409  # not taken


async def test_a_failed_reply_is_shown_failed_then_retried(
    engine: Engine, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    handoff_id, staff_id = new_handoff(engine, language="fr")
    async with serve_channel(ConsoleInput(CONSOLE_TOKEN), no_message) as url:
        await post(url, f"{handoff_id}/take", {"staff_id": staff_id})
        telegram.fail("sendMessage", 502)
        reply = await post(url, f"{handoff_id}/reply", {"staff_id": staff_id, "text": "Bonjour"})
        assert reply.json()["delivery"] == "failed"
    with Session(engine) as session:
        assert transcript(session, handoff_id=handoff_id)[-1].delivery_status == "failed"
    monkeypatch.setattr(handoff_delivery, "RETRY_AFTER", timedelta(0))
    assert await handoff_delivery.retry_undelivered() == 1
    assert telegram.sent_texts(CHAT)[-1] == "Bonjour"
    with Session(engine) as session:
        line = transcript(session, handoff_id=handoff_id)[-1]
    assert (line.delivery_status, line.attempts) == ("sent", 2)
    assert await handoff_delivery.retry_undelivered() == 0  # nothing sent twice


WA_ID = "212600000001"


async def test_whatsapp_outside_the_window_gets_the_handoff_template(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    handoff_id, staff_id = new_handoff(engine, channel="whatsapp", user=WA_ID, language="en")
    with Session(engine) as session, session.begin():  # last wrote two days ago
        session.execute(
            update(User).values(last_inbound_at=datetime.now(timezone.utc) - timedelta(days=2))
        )
    async with FakeApi() as graph:
        for name, value in {
            "WHATSAPP_ACCESS_TOKEN": "graph-token",
            "WHATSAPP_APP_SECRET": "app-secret",
            "WHATSAPP_VERIFY_TOKEN": "verify-token",
            "WHATSAPP_PHONE_NUMBER_ID": "1234",
            "WHATSAPP_API_URL": graph.url,
            "WHATSAPP_TEMPLATE_NAME": "asmex_alert",
            "WHATSAPP_HANDOFF_TEMPLATE": "asmex_handoff_reply",
            "WHATSAPP_TEMPLATE_LANGUAGES": "en=en_US",
        }.items():
            monkeypatch.setenv(name, value)
        async with serve_channel(ConsoleInput(CONSOLE_TOKEN), no_message) as url:
            await post(url, f"{handoff_id}/take", {"staff_id": staff_id})
            reply = await post(
                url, f"{handoff_id}/reply", {"staff_id": staff_id, "text": "The fair is in May."}
            )
        assert reply.json()["delivery"] == "sent"
        sent = graph.messages(WA_ID)[-1]
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "asmex_handoff_reply"
    assert sent["template"]["language"] == {"code": "en_US"}
    parameters = sent["template"]["components"][0]["parameters"]
    assert parameters == [{"type": "text", "text": "The fair is in May."}]


async def test_whatsapp_inside_the_window_gets_free_text(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    handoff_id, staff_id = new_handoff(engine, channel="whatsapp", user=WA_ID, language="fr")
    async with FakeApi() as graph:
        for name, value in {
            "WHATSAPP_ACCESS_TOKEN": "graph-token",
            "WHATSAPP_APP_SECRET": "app-secret",
            "WHATSAPP_VERIFY_TOKEN": "verify-token",
            "WHATSAPP_PHONE_NUMBER_ID": "1234",
            "WHATSAPP_API_URL": graph.url,
            "WHATSAPP_HANDOFF_TEMPLATE": "asmex_handoff_reply",
        }.items():
            monkeypatch.setenv(name, value)
        async with serve_channel(ConsoleInput(CONSOLE_TOKEN), no_message) as url:
            await post(url, f"{handoff_id}/take", {"staff_id": staff_id})
            await post(url, f"{handoff_id}/reply", {"staff_id": staff_id, "text": "Bonjour"})
        sent = graph.messages(WA_ID)[-1]
    assert sent["type"] == "text" and sent["text"]["body"] == "Bonjour"


async def test_twilio_outside_the_window_gets_the_handoff_content_template(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = "whatsapp:+212600000002"
    handoff_id, staff_id = new_handoff(
        engine, channel="twilio_whatsapp", user=number, language="ar"
    )
    with Session(engine) as session, session.begin():
        session.execute(update(User).values(last_inbound_at=None))
    async with FakeApi() as twilio:
        for name, value in {
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": "twilio-auth",
            "TWILIO_WHATSAPP_NUMBER": "+14155238886",
            "TWILIO_API_URL": twilio.url,
            "TWILIO_HANDOFF_CONTENT_SID": "fr=HXfr,ar=HXar,en=HXen",
        }.items():
            monkeypatch.setenv(name, value)
        async with serve_channel(ConsoleInput(CONSOLE_TOKEN), no_message) as url:
            await post(url, f"{handoff_id}/take", {"staff_id": staff_id})
            await post(url, f"{handoff_id}/reply", {"staff_id": staff_id, "text": "مرحبا"})
        sent = twilio.twilio_messages()[-1]
    assert sent["ContentSid"] == "HXar"
    assert '"1": "مرحبا"' in sent["ContentVariables"]


async def test_two_retry_sweeps_at_once_send_a_failed_reply_once(
    engine: Engine, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Rasa worker runs a sweep: the claim lets only one of them send the reply."""
    handoff_id, staff_id = new_handoff(engine, language="ar")
    async with serve_channel(ConsoleInput(CONSOLE_TOKEN), no_message) as url:
        await post(url, f"{handoff_id}/take", {"staff_id": staff_id})
        telegram.fail("sendMessage", 502)
        reply = {"staff_id": staff_id, "text": "مرحبا، المعرض في دبي"}
        assert (await post(url, f"{handoff_id}/reply", reply)).json()["delivery"] == "failed"
    before = len(telegram.sent_texts(CHAT))
    monkeypatch.setattr(handoff_delivery, "RETRY_AFTER", timedelta(0))
    delivered = await asyncio.gather(*(handoff_delivery.retry_undelivered() for _ in range(3)))
    assert sum(delivered) == 1
    assert telegram.sent_texts(CHAT)[before:] == ["مرحبا، المعرض في دبي"]
    with Session(engine) as session:
        line = transcript(session, handoff_id=handoff_id)[-1]
    assert (line.delivery_status, line.attempts) == ("sent", 2)
