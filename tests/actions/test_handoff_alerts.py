"""action_human_handoff alerts the region's delegate by e-mail without making the member wait:
the alert leaves in a worker thread, only for a new request, and a mail server that fails
or is slow never reaches the member's reply."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.common import channel_identity
from actions.handoff import ActionHumanHandoff
from kb.handoff_alerts import alert_statuses
from kb.models import Handoff, User
from kb.staff import create_staff
from kb.users import get_or_create_user
from outbound import handoff_watch
from tests.actions.info_support import responses, run, tracker
from tests.support.project import free_port
from tests.support.smtp import LocalSmtp


@pytest.fixture()
def delegate(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        create_staff(
            session,
            email="khalid@asmex.ma",
            role="delegate",
            region="souss-massa",
            password="a-long-enough-password-2026",
        )
        # The member said their region earlier: their requests go to its delegate.
        channel, user = channel_identity(ask())  # type: ignore[arg-type]
        member = get_or_create_user(session, channel=channel, channel_user_id=user)
        session.get(User, member.id).region = "souss-massa"  # type: ignore[union-attr]


def use_smtp(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_FROM", "console@asmex.ma")
    monkeypatch.setenv("SMTP_STARTTLS", "false")


@pytest.fixture()
def slow_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalSmtp]:
    with LocalSmtp(delay=1.5) as server:
        use_smtp(monkeypatch, server.port)
        yield server


def ask(sender: str = "user-1") -> object:
    return tracker(
        intent="human_handoff",
        text="je veux parler a un conseiller",
        slots={"region": "souss-massa"},
        sender=sender,
    )


async def settle() -> None:
    """Wait for the alerts this test started in the background (other tests' loops are gone)."""
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(f for f in list(handoff_watch._running) if f.get_loop() is loop))


@pytest.mark.usefixtures("delegate")
async def test_the_delegate_is_mailed_and_the_reply_does_not_wait_for_the_mail_server(
    slow_smtp: LocalSmtp,
) -> None:
    started = time.monotonic()
    messages, _ = await run(ActionHumanHandoff(), ask())  # type: ignore[arg-type]
    replied = time.monotonic() - started
    assert responses(messages) == ["utter_handoff_delegate"]
    assert replied < slow_smtp.handler.delay / 2  # the mail server takes 1.5 s to accept
    (mail,) = await asyncio.to_thread(slow_smtp.wait_for, 1)
    assert mail.recipients == ["khalid@asmex.ma"]
    await settle()


@pytest.mark.usefixtures("delegate")
async def test_asking_again_sends_no_second_alert(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with LocalSmtp() as server:
        use_smtp(monkeypatch, server.port)
        started = time.monotonic()
        await run(ActionHumanHandoff(), ask())  # type: ignore[arg-type]
        (mail,) = await asyncio.to_thread(server.wait_for, 1)
        with capsys.disabled():
            print(f"\nhandoff request -> mail at the SMTP server: {mail.at - started:.3f} s")
        await settle()
        messages, _ = await run(ActionHumanHandoff(), ask())  # type: ignore[arg-type]
        assert responses(messages) == ["utter_handoff_already_open"]
        await settle()
        await asyncio.sleep(0.2)
        assert len(server.received) == 1


@pytest.mark.usefixtures("delegate")
async def test_a_mail_server_down_does_not_reach_the_member(
    kb: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_smtp(monkeypatch, free_port())
    messages, _ = await run(ActionHumanHandoff(), ask())  # type: ignore[arg-type]
    assert responses(messages) == ["utter_handoff_delegate"]
    await settle()
    with Session(kb) as session:
        (handoff_id,) = session.scalars(select(Handoff.id)).all()
        statuses = alert_statuses(session, handoff_id=handoff_id)
    assert statuses == {("new", "email:fr"): "failed"}  # the watcher tries it again


@pytest.mark.usefixtures("delegate")
async def test_time_from_the_request_to_the_delegates_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Measured (docs/console.md quotes it): the member's request, through the action, to the
    local SMTP server (aiosmtpd) holding the delegate's mail."""
    with LocalSmtp() as server:
        use_smtp(monkeypatch, server.port)
        started = time.monotonic()
        await run(ActionHumanHandoff(), ask())  # type: ignore[arg-type]
        (mail,) = await asyncio.to_thread(server.wait_for, 1)
        elapsed = time.monotonic() - started
        await settle()
    assert mail.recipients == ["khalid@asmex.ma"]
    print(f"\nrequest -> delegate's mail: {elapsed * 1000:.0f} ms")
    assert elapsed < 5.0
