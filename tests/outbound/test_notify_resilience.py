"""Alerts and reminders when things fail halfway: a retried message made of several parts
sends only the parts not delivered (within a run and at a later ``--retry-failed`` run), and a
database error cancels no send in progress."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kb.access import DatabaseUnavailable
from kb.models import NotificationSent
from kb.notifications import DueNotification
from outbound import message as outbound
from outbound import notify
from outbound.notify.claims import SqlClaimStore
from outbound.progress import Progress, run_part
from outbound.telegram import MAX_TEXT_UNITS, TelegramNotifier
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.notify import TODAY, add_event, add_user, subscribe

Run = Callable[[Coroutine[Any, Any, Any]], Any]


@dataclass
class PartsNotifier:
    """A notifier that sends each message in ``parts`` platform calls, as a long text goes;
    ``failures`` (by part number, from 1) raise on the next calls of that part."""

    parts: int = 3
    channel: str = "telegram"
    max_rate_per_second: float = 30.0
    per_recipient_interval: float = 0.0
    failures: dict[int, list[BaseException]] = field(default_factory=dict)
    delivered: list[tuple[str, int]] = field(default_factory=list)
    calls: list[tuple[str, int]] = field(default_factory=list)

    async def _part(self, recipient: str, number: int) -> None:
        self.calls.append((recipient, number))
        pending = self.failures.get(number)
        if pending:
            raise pending.pop(0)
        self.delivered.append((recipient, number))

    async def send(self, message: outbound.OutboundMessage) -> None:
        for number in range(1, self.parts + 1):
            await run_part(message.progress, partial(self._part, message.recipient, number))

    async def close(self) -> None:
        pass


@pytest.fixture()
def subscribed(engine: Engine) -> Callable[..., None]:
    def create(*chats: str) -> None:
        with Session(engine) as s, s.begin():
            for chat in chats:
                subscribe(s, add_user(s, chat))
            add_event(s, "event-0", start=TODAY + timedelta(days=30))

    return create


def run(run_virtual: Run, engine: Engine, notifier: Any, store: Any = None, **kw: Any) -> Any:
    dues = notify.due_notifications(engine, today=TODAY, retry_failed=kw.get("retry_failed", False))
    store = store or SqlClaimStore(engine)
    return run_virtual(notify.deliver(dues, {"telegram": notifier}, store, **kw))


def rows(engine: Engine) -> list[tuple[str, int, int]]:
    """(status, attempts, parts_sent) of every notifications_sent row."""
    with Session(engine) as s:
        found = s.execute(
            select(NotificationSent.status, NotificationSent.attempts, NotificationSent.parts_sent)
        )
        return [tuple(row) for row in found]  # type: ignore[misc]


def test_a_retry_within_the_run_sends_only_the_parts_left(
    run_virtual: Run, engine: Engine, subscribed: Any
) -> None:
    subscribed("1")
    notifier = PartsNotifier(failures={2: [outbound.TransientError("502 Bad Gateway")]})
    summary = run(run_virtual, engine, notifier)
    assert notifier.delivered == [("1", 1), ("1", 2), ("1", 3)]
    assert notifier.calls == [("1", 1), ("1", 2), ("1", 2), ("1", 3)]  # part 1 not again
    assert summary.count("sent") == 1 and rows(engine) == [("sent", 2, 3)]


def test_a_later_retry_of_a_failed_message_sends_only_the_parts_left(
    run_virtual: Run, engine: Engine, subscribed: Any
) -> None:
    subscribed("1")
    refused = outbound.DeliveryError("Bad Request: message is too long")
    first = PartsNotifier(failures={3: [refused]})
    run(run_virtual, engine, first)
    assert first.delivered == [("1", 1), ("1", 2)] and rows(engine) == [("failed", 1, 2)]
    again = PartsNotifier()
    summary = run(run_virtual, engine, again, retry_failed=True)
    assert again.delivered == [("1", 3)] and summary.count("sent") == 1
    assert rows(engine) == [("sent", 2, 3)]


class FlakyStore(SqlClaimStore):
    """The database of SqlClaimStore, down for some calls."""

    def __init__(self, engine: Engine, **down: int) -> None:
        super().__init__(engine)
        self.down = dict(down)  # method name -> how many calls fail
        self.claims = 0

    def _fails(self, name: str) -> bool:
        left = self.down.get(name, 0)
        if left:
            self.down[name] = left - 1
        return bool(left)

    async def claim(self, due: DueNotification, *, retry_failed: bool) -> bool:
        self.claims += 1
        if self._fails("claim"):
            raise DatabaseUnavailable("connection refused")
        return await super().claim(due, retry_failed=retry_failed)

    async def mark_sent(self, due: DueNotification, *, attempts: int) -> None:
        if self._fails("mark_sent"):
            raise DatabaseUnavailable("connection refused")
        await super().mark_sent(due, attempts=attempts)

    async def save_parts(self, due: DueNotification, parts_sent: int) -> None:
        if self._fails("save_parts"):
            raise DatabaseUnavailable("connection refused")
        await super().save_parts(due, parts_sent)


def test_a_database_error_cancels_no_send_in_progress(
    run_virtual: Run, engine: Engine, subscribed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    subscribed("1", "2", "3", "4")
    notifier = PartsNotifier(parts=2)
    store = FlakyStore(engine, claim=1, mark_sent=2, save_parts=3)
    summary = run(run_virtual, engine, notifier, store)
    recipients = sorted({recipient for recipient, _ in notifier.delivered})
    assert len(recipients) == 3 and len(notifier.delivered) == 6  # one could not be claimed
    assert summary.count("sent") == 3 and summary.count("skipped") == 1
    assert sorted(status for status, _, _ in rows(engine)) == ["sent"] * 3  # marked on retry
    assert "database unavailable" in caplog.text

    later = PartsNotifier(parts=2)
    run(run_virtual, engine, later)  # the one left is still due, the others are not
    assert [r for r, _ in later.delivered] == [r for r in "1234" if r not in recipients] * 2


def test_an_outcome_the_database_never_takes_leaves_the_claim(
    run_virtual: Run, engine: Engine, subscribed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    subscribed("1", "2")
    notifier = PartsNotifier(parts=1)
    summary = run(run_virtual, engine, notifier, FlakyStore(engine, mark_sent=99))
    assert len(notifier.delivered) == 2 and summary.count("sent") == 2
    assert [status for status, _, _ in rows(engine)] == ["claimed", "claimed"]  # never twice
    assert "but not recorded" in caplog.text


# --- a long alert on Telegram ----------------------------------------------------------------


@pytest.fixture()
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def test_telegram_resends_only_the_chunks_not_delivered(fake: FakeTelegram) -> None:
    paragraph = "معرض دكار الدولي للصناعات الغذائية: لقاءات أعمال وزيارات ميدانية. " * 40
    text = "\n\n".join(paragraph.strip() for _ in range(5))
    notifier = TelegramNotifier(TOKEN, fake.base_url)
    progress = Progress()
    message = outbound.OutboundMessage("4242", text, "ar", progress=progress)
    original = fake._api_sendMessage

    async def then_a_bad_gateway(params: dict, files: dict) -> object:
        fake._api_sendMessage = original  # type: ignore[method-assign]
        fake.fail("sendMessage", 502)
        return await original(params, files)

    fake._api_sendMessage = then_a_bad_gateway  # type: ignore[method-assign]
    try:
        with pytest.raises(outbound.TransientError):
            await notifier.send(message)
        assert progress.sent == 1
        progress.restart()
        await notifier.send(message)  # the dispatcher's retry
    finally:
        await notifier.close()
    calls = [c.params["text"] for c in fake.calls_to("sendMessage")]
    assert calls[1] == calls[2]  # the chunk refused with 502, then sent
    delivered = calls[:1] + calls[2:]
    assert len(delivered) >= 3 and "\n\n".join(delivered) == text
    assert all(len(chunk) <= MAX_TEXT_UNITS for chunk in delivered)
