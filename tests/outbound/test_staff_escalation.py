"""Escalation: a handoff nobody took within HANDOFF_ESCALATE_MINUTES goes to the head office,
once and only once, on a fake clock; the watcher's round also retries failed alerts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core import settings
from kb.handoff_alerts import alert_statuses
from kb.handoffs import request_handoff
from kb.models import Handoff
from kb.session import make_session_factory
from kb.staff import create_staff
from kb.users import get_or_create_user
from outbound.handoff_watch import watch_once
from outbound.staff_alerts import escalate_overdue
from tests.support.smtp import LocalSmtp

ARRIVED = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)


@pytest.fixture()
def smtp() -> Iterator[LocalSmtp]:
    with LocalSmtp() as server:
        yield server


@pytest.fixture()
def config(smtp: LocalSmtp) -> settings.Settings:
    return settings.load(
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            "SMTP_FROM": "console@asmex.ma",
            "SMTP_STARTTLS": "false",
            "HEAD_OFFICE_EMAIL": "siege@asmex.ma",
        }
    )


@pytest.fixture()
def delegate(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        create_staff(
            session,
            email="khalid@asmex.ma",
            role="delegate",
            region="souss-massa",
            password="a-long-enough-password-2026",
        )


def handoff(engine: Engine, user: str, **columns: object) -> int:
    """An open handoff that arrived at ARRIVED (with ``columns`` changed)."""
    with Session(engine) as session, session.begin():
        member = get_or_create_user(session, channel="telegram", channel_user_id=user)
        outcome = request_handoff(session, user_id=member.id, language="fr", region="souss-massa")
        values = {"created_at": ARRIVED, **columns}
        session.execute(update(Handoff).where(Handoff.id == outcome.handoff.id).values(**values))
        return outcome.handoff.id


def escalate(engine: Engine, at: datetime, config: settings.Settings) -> list[int]:
    with Session(engine) as session:
        return escalate_overdue(session, at, config=config)


@pytest.mark.usefixtures("delegate")
def test_a_handoff_is_escalated_once_after_the_set_time(
    engine: Engine, smtp: LocalSmtp, config: settings.Settings
) -> None:
    handoff_id = handoff(engine, "501")
    assert escalate(engine, ARRIVED + timedelta(minutes=14, seconds=59), config) == []
    assert escalate(engine, ARRIVED + timedelta(minutes=15), config) == [handoff_id]
    (mail,) = smtp.wait_for(1)
    assert mail.recipients == ["siege@asmex.ma"]  # the head office, not the delegate
    assert "sans réponse depuis 15 min" in mail.message["Subject"]
    for later in (16, 60, 24 * 60):
        assert escalate(engine, ARRIVED + timedelta(minutes=later), config) == []
    assert len(smtp.received) == 1
    with Session(engine) as session:
        assert alert_statuses(session, handoff_id=handoff_id) == {
            ("escalation", "email:fr"): "sent"
        }
        row = session.get(Handoff, handoff_id)
        assert row is not None and row.escalated_at is not None


@pytest.mark.usefixtures("delegate")
def test_taken_or_closed_handoffs_are_not_escalated(
    engine: Engine, smtp: LocalSmtp, config: settings.Settings
) -> None:
    handoff(engine, "601", taken_at=ARRIVED + timedelta(minutes=3))
    handoff(engine, "602", status="closed")
    assert escalate(engine, ARRIVED + timedelta(hours=2), config) == []
    assert smtp.received == []


@pytest.mark.usefixtures("delegate")
def test_the_delay_is_a_setting(engine: Engine, smtp: LocalSmtp, config: settings.Settings) -> None:
    handoff_id = handoff(engine, "701")
    five = settings.load({"HANDOFF_ESCALATE_MINUTES": "5"})
    assert five.handoff_escalate_minutes == 5
    assert settings.load({}).handoff_escalate_minutes == 15
    quick = settings.Settings(**{**vars(config), "handoff_escalate_minutes": 5})
    assert escalate(engine, ARRIVED + timedelta(minutes=5), quick) == [handoff_id]
    with pytest.raises(settings.SettingsError):
        settings.load({"HANDOFF_ESCALATE_MINUTES": "soon"})


@pytest.mark.usefixtures("delegate")
def test_two_watchers_escalate_a_handoff_once(
    engine: Engine, smtp: LocalSmtp, config: settings.Settings
) -> None:
    """Two console processes run the watcher: the second round finds nothing to escalate."""
    handoff_id = handoff(engine, "801")
    sessions = make_session_factory(engine)
    at = ARRIVED + timedelta(minutes=20)
    assert watch_once(sessions, at, config) == ([handoff_id], 0)
    assert watch_once(sessions, at, config) == ([], 0)
    smtp.wait_for(1)
    assert len(smtp.received) == 1


@pytest.mark.usefixtures("delegate")
def test_the_watcher_announces_a_request_whose_process_stopped_before_alerting(
    engine: Engine, smtp: LocalSmtp, config: settings.Settings
) -> None:
    handoff_id = handoff(engine, "901")  # created, never announced
    sessions = make_session_factory(engine)
    assert watch_once(sessions, ARRIVED + timedelta(minutes=2), config) == ([], 1)
    (mail,) = smtp.wait_for(1)
    assert mail.recipients == ["khalid@asmex.ma"]  # a new request: the region's delegate
    assert watch_once(sessions, ARRIVED + timedelta(minutes=3), config) == ([], 0)
    with Session(engine) as session:
        assert alert_statuses(session, handoff_id=handoff_id) == {("new", "email:fr"): "sent"}
