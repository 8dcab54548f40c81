"""Staff alerts about handoffs: routed to the region's delegates or the head office, by e-mail
(a local SMTP server) and in the staff Telegram chat (the fake Bot API), once each, retried
after a failure, and without the member's personal data."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core import settings
from kb.handoff_alerts import alert_statuses
from kb.handoffs import ConversationTurn, request_handoff
from kb.models import HandoffNotification, Region
from kb.staff import create_staff
from kb.users import get_or_create_user
from outbound.staff_alerts import announce_missed, notify_new_handoff, retry_failed_alerts
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.project import free_port
from tests.support.smtp import LocalSmtp

PASSWORD = "a-long-enough-password-2026"
MEMBER_PHONE = "212612345678"
STAFF_CHAT = "-1001234567890"
NOW = datetime(2026, 1, 15, 10, 0, tzinfo=timezone.utc)


@pytest.fixture()
def smtp() -> Iterator[LocalSmtp]:
    with LocalSmtp() as server:
        yield server


def alert_settings(port: int, **extra: str) -> settings.Settings:
    environ = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_FROM": "console@asmex.ma",
        "SMTP_STARTTLS": "false",
        "CONSOLE_PUBLIC_URL": "https://console.asmex.ma/",
        **extra,
    }
    return settings.load(environ)


@pytest.fixture()
def staff(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            Region(
                code="souss-massa", name_fr="Souss-Massa", name_ar="سوس ماسة", name_en="Souss-Massa"
            )
        )
        create_staff(session, email="admin@asmex.ma", role="admin", password=PASSWORD)
        create_staff(
            session,
            email="khalid@asmex.ma",
            role="delegate",
            region="souss-massa",
            password=PASSWORD,
            language="ar",
        )
        create_staff(
            session, email="sara@asmex.ma", role="delegate", region="oriental", password=PASSWORD
        )


def new_handoff(engine: Engine, region: str | None, language: str = "fr") -> int:
    with Session(engine) as session, session.begin():
        user = get_or_create_user(session, channel="whatsapp", channel_user_id=MEMBER_PHONE)
        outcome = request_handoff(
            session,
            user_id=user.id,
            language=language,
            region=region,
            turns=[ConversationTurn("mon email est karim@example.ma", "inform")],
        )
        return outcome.handoff.id


def notify(engine: Engine, handoff_id: int, config: settings.Settings, **kwargs: bool) -> list:
    with Session(engine) as session:
        return notify_new_handoff(session, handoff_id, config=config, **kwargs)


def statuses(engine: Engine, handoff_id: int) -> dict[tuple[str, str], str]:
    with Session(engine) as session:
        return alert_statuses(session, handoff_id=handoff_id)


@pytest.mark.usefixtures("staff")
def test_a_new_handoff_mails_the_regions_delegate_in_their_language(
    engine: Engine, smtp: LocalSmtp
) -> None:
    handoff_id = new_handoff(engine, "souss-massa", language="en")
    tried = notify(engine, handoff_id, alert_settings(smtp.port))
    assert [(d.target, d.error) for d in tried] == [("email:ar", None)]
    (mail,) = smtp.wait_for(1)
    assert mail.recipients == ["khalid@asmex.ma"]
    assert mail.sender == "console@asmex.ma"
    assert mail.message["Subject"] == f"ASMEX: طلب تواصل جديد رقم {handoff_id} (سوس ماسة)"
    text = mail.message.get_content()
    assert "الجهة: سوس ماسة" in text
    assert "لغة العضو: الإنجليزية" in text
    assert "القناة: WhatsApp" in text
    assert "في الانتظار منذ: " in text and "(Africa/Casablanca)" in text
    assert f"https://console.asmex.ma/handoffs/{handoff_id}" in text
    assert MEMBER_PHONE not in mail.message.as_string()
    assert "karim@example.ma" not in mail.message.as_string()  # nor the member's messages
    assert statuses(engine, handoff_id) == {("new", "email:ar"): "sent"}


@pytest.mark.usefixtures("staff")
def test_a_region_without_delegate_goes_to_the_admins_and_the_head_office_address(
    engine: Engine, smtp: LocalSmtp
) -> None:
    handoff_id = new_handoff(engine, "tanger-tetouan-al-hoceima")
    config = alert_settings(smtp.port, HEAD_OFFICE_EMAIL="siege@asmex.ma")
    notify(engine, handoff_id, config)
    (mail,) = smtp.wait_for(1)
    assert sorted(mail.recipients) == ["admin@asmex.ma", "siege@asmex.ma"]
    assert mail.message["Subject"].startswith("ASMEX : nouvelle demande de contact n°")
    assert "Région : tanger-tetouan-al-hoceima" in mail.message.get_content()


@pytest.mark.usefixtures("staff")
def test_a_handoff_without_region_goes_to_the_head_office(engine: Engine, smtp: LocalSmtp) -> None:
    handoff_id = new_handoff(engine, None)
    notify(engine, handoff_id, alert_settings(smtp.port))
    (mail,) = smtp.wait_for(1)
    assert mail.recipients == ["admin@asmex.ma"]
    assert "Région : région inconnue" in mail.message.get_content()


@pytest.mark.usefixtures("staff")
def test_an_escalation_goes_to_the_head_office_even_when_the_region_has_a_delegate(
    engine: Engine, smtp: LocalSmtp
) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    notify(engine, handoff_id, alert_settings(smtp.port), escalated=True)
    (mail,) = smtp.wait_for(1)
    assert mail.recipients == ["admin@asmex.ma"]
    assert "sans réponse depuis 15 min" in mail.message["Subject"]
    assert statuses(engine, handoff_id) == {("escalation", "email:fr"): "sent"}


@pytest.mark.usefixtures("staff")
def test_an_alert_is_sent_once_however_often_it_is_asked_for(
    engine: Engine, smtp: LocalSmtp
) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    config = alert_settings(smtp.port)
    assert len(notify(engine, handoff_id, config)) == 1
    assert notify(engine, handoff_id, config) == []
    assert notify(engine, handoff_id, config, retry_failed=True) == []
    smtp.wait_for(1)
    assert len(smtp.received) == 1


@pytest.mark.usefixtures("staff")
def test_a_failed_send_is_recorded_without_personal_data_then_retried(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    port = free_port()  # nothing listens there yet
    with caplog.at_level(logging.INFO):
        (delivery,) = notify(engine, handoff_id, alert_settings(port))
    assert delivery.error == "ConnectionRefusedError"
    assert statuses(engine, handoff_id) == {("new", "email:ar"): "failed"}
    assert "khalid@asmex.ma" not in caplog.text and MEMBER_PHONE not in caplog.text
    assert "tried again later" in caplog.text

    with LocalSmtp(port=port) as server:  # the mail server is back
        with Session(engine) as session:
            assert retry_failed_alerts(session, NOW, config=alert_settings(port)) == 1
        server.wait_for(1)
        with Session(engine) as session:
            assert retry_failed_alerts(session, NOW, config=alert_settings(port)) == 0
    assert len(server.received) == 1
    assert statuses(engine, handoff_id) == {("new", "email:ar"): "sent"}
    with Session(engine) as session:
        row = session.scalars(select(HandoffNotification)).one()
        assert row.attempts == 2 and row.last_error is None


@pytest.mark.usefixtures("staff")
def test_smtp_login_with_the_configured_account(engine: Engine) -> None:
    with LocalSmtp(login=("alerts", "smtp-secret")) as server:
        good = alert_settings(server.port, SMTP_USER="alerts", SMTP_PASSWORD="smtp-secret")
        bad = alert_settings(server.port, SMTP_USER="alerts", SMTP_PASSWORD="wrong")
        refused = notify(engine, new_handoff(engine, "souss-massa"), bad)
        assert [d.error for d in refused] == ["SMTPAuthenticationError 535"]
        accepted = notify(engine, new_handoff(engine, "oriental"), good)
        assert [d.error for d in accepted] == [None]
        (mail,) = server.wait_for(1)
        assert mail.recipients == ["sara@asmex.ma"]


@pytest.mark.usefixtures("staff")
def test_starttls_is_required_by_default(engine: Engine, smtp: LocalSmtp) -> None:
    config = settings.load(
        {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SMTP_FROM": "a@asmex.ma"}
    )
    assert config.smtp.starttls is True
    (delivery,) = notify(engine, new_handoff(engine, "souss-massa"), config)
    assert delivery.error == "SMTPNotSupportedError"  # the local server offers no STARTTLS
    assert smtp.received == []


@pytest.mark.usefixtures("staff")
def test_nothing_is_sent_or_recorded_without_smtp_or_staff_chat(engine: Engine) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    assert notify(engine, handoff_id, settings.load({})) == []
    with Session(engine) as session:
        assert announce_missed(session, NOW, config=settings.load({})) == 0
    assert statuses(engine, handoff_id) == {}


@pytest.mark.usefixtures("staff")
async def test_the_staff_telegram_chat_gets_the_alert_once_and_after_a_failure(
    engine: Engine,
) -> None:
    fake = FakeTelegram()
    await fake.start()
    try:
        config = settings.load(
            {
                "TELEGRAM_TOKEN": TOKEN,
                "TELEGRAM_BASE_URL": fake.base_url,
                "STAFF_TELEGRAM_CHAT_ID": STAFF_CHAT,
                "CONSOLE_PUBLIC_URL": "https://console.asmex.ma",
            }
        )
        loop = asyncio.get_running_loop()
        first = await asyncio.to_thread(new_handoff, engine, "souss-massa")
        fake.fail("sendMessage", 400, description="Bad Request: chat not found")
        (failed,) = await loop.run_in_executor(None, notify, engine, first, config)
        assert failed.error == "BadRequest"
        with Session(engine) as session:
            assert await asyncio.to_thread(retry_failed_alerts, session, NOW, config=config) == 1
        refused, text = fake.sent_texts(int(STAFF_CHAT))  # the fake records the refused call
        assert refused == text
        assert text.startswith("Un membre demande à parler à une personne de l'ASMEX.")
        assert "Région : Souss-Massa" in text and "Canal : WhatsApp" in text
        assert f"https://console.asmex.ma/handoffs/{first}" in text
        assert MEMBER_PHONE not in text
        assert await loop.run_in_executor(None, notify, engine, first, config) == []
        assert len(fake.sent_texts(int(STAFF_CHAT))) == 2
    finally:
        await fake.stop()
