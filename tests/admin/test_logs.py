"""The alerts' log lines (outbound.notify) name no recipient: a platform's refusal often quotes
the phone number, and it goes to notifications_sent.last_error and the staff's report only."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from admin import cli as admin
from kb.alerts import subscribe_alerts
from kb.session import make_engine
from kb.users import get_or_create_user
from outbound import notify
from outbound.message import DeliveryError
from tests.support.notify import FakeNotifier

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REFUSED, BROKEN = "212612345678", "212698765432"


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    return admin.main(list(argv), out=out, err=err), out.getvalue() + err.getvalue()


def test_failed_alerts_are_logged_without_the_number(
    db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nlu.vocabulary.gazetteer", None)
    assert run("--database-url", db_url, "init-db", "--kb-dir", str(FIXTURES / "kb"))[0] == 0
    engine = make_engine(db_url)
    with Session(engine) as session, session.begin():
        for number in (REFUSED, BROKEN):
            user = get_or_create_user(session, channel="whatsapp", channel_user_id=number)
            subscribe_alerts(session, user_id=user.id)
    engine.dispose()
    whatsapp = FakeNotifier(
        channel="whatsapp",
        script={
            REFUSED: [DeliveryError(f"(#131026) Recipient +{REFUSED} is not a WhatsApp user")],
            BROKEN: [RuntimeError(f"unexpected answer for whatsapp:+{BROKEN}")],
        },
    )
    monkeypatch.setattr(notify, "notifiers_from_environment", lambda: {"whatsapp": whatsapp})

    with caplog.at_level(logging.INFO):
        code, report = run(
            "--database-url", db_url, "import-events", str(FIXTURES / "events" / "good.yml")
        )

    assert code == 0 and "failed 2" in report  # the first alert of each member
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "failed after 1 attempt(s) (DeliveryError)" in logged
    assert "unexpected RuntimeError sending" in logged
    assert REFUSED not in logged and BROKEN not in logged
    assert REFUSED in report  # the staff's report still says why
