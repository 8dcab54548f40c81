"""The console's process runs the handoff watcher while it serves: a request nobody took for
HANDOFF_ESCALATE_MINUTES (on the console's clock) reaches the head office by e-mail; the
watcher stops with the app."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from console.app import create_app
from kb.handoffs import request_handoff
from kb.models import Handoff
from kb.staff import StaffView
from kb.users import get_or_create_user
from tests.console.conftest import ADMIN_EMAIL, Now, console_settings
from tests.support.smtp import LocalSmtp


def waiting_handoff(engine: Engine, since: object) -> int:
    with Session(engine) as session, session.begin():
        member = get_or_create_user(session, channel="telegram", channel_user_id="9001")
        outcome = request_handoff(session, user_id=member.id, language="ar", region=None)
        session.execute(
            update(Handoff).where(Handoff.id == outcome.handoff.id).values(created_at=since)
        )
        return outcome.handoff.id


def test_the_console_escalates_a_request_nobody_took(
    db_url: str, engine: Engine, accounts: dict[str, StaffView], now: Now
) -> None:
    handoff_id = waiting_handoff(engine, now() - timedelta(minutes=16))
    with LocalSmtp() as smtp:
        settings = console_settings(
            db_url,
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp.port),
            SMTP_FROM="console@asmex.ma",
            SMTP_STARTTLS="false",
        )
        app = create_app(settings, now=now, watch_every=0.05)
        with TestClient(app):
            (mail,) = smtp.wait_for(1)
            time.sleep(0.3)  # more rounds: still one escalation
        assert mail.recipients == [ADMIN_EMAIL]
        assert f"n°{handoff_id} sans réponse depuis 15 min" in mail.message["Subject"]
        assert len(smtp.received) == 1
    with Session(engine) as session:
        row = session.get(Handoff, handoff_id)
        assert row is not None and row.escalated_at is not None
