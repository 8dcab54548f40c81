"""Alerts and reminders: rendering, pacing, retries and at-most-once delivery.

The dispatcher runs on a virtual-time event loop (conftest.py): aiolimiter, the per-recipient
spacing and tenacity's back-off all read the loop's clock, so seconds pass without waiting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kb import notifications as notes
from kb.models import NotificationSent, User
from kb.notifications import DueNotification
from kb.views import EventView, Texts
from outbound import notify
from outbound.message import DeliveryError, RateLimited, TransientError
from outbound.notify import texts
from tests.support.notify import (
    TODAY,
    Crash,
    FakeNotifier,
    add_event,
    add_user,
    register,
    subscribe,
)

Run = Callable[[Coroutine[Any, Any, Any]], Any]


def due_now(engine: Engine, **kwargs: Any) -> list[DueNotification]:
    return notify.due_notifications(engine, today=TODAY, **kwargs)


def send(
    run_virtual: Run, engine: Engine, *notifiers: FakeNotifier, **kwargs: Any
) -> notify.Summary:
    """One notify-pending run over the database, on virtual time."""
    by_channel = {n.channel: n for n in notifiers}
    dues = due_now(engine, retry_failed=kwargs.get("retry_failed", False))
    return run_virtual(notify.send_due(engine, dues, by_channel, **kwargs))  # type: ignore[arg-type]


def rows(engine: Engine) -> list[tuple[str, str, str, int, str | None]]:
    """(kind, chat id, status, attempts, last error) of every notifications_sent row."""
    with Session(engine) as s:
        found = s.execute(
            select(NotificationSent, User.channel_user_id)
            .join(User, User.id == NotificationSent.user_id)
            .order_by(User.channel_user_id, NotificationSent.kind)
        ).all()
        return [(n.kind, chat, n.status, n.attempts, n.last_error) for n, chat in found]


@pytest.fixture()
def users(engine: Engine) -> Callable[..., None]:
    """Create subscribed users ``chats`` and one new matching event."""

    def create(*chats: str, channel: str = "telegram", events: int = 1) -> None:
        with Session(engine) as s, s.begin():
            for chat in chats:
                subscribe(s, add_user(s, chat, channel=channel))
            for i in range(events):
                add_event(s, f"event-{i}", start=TODAY + timedelta(days=30 + i))

    return create


class MemoryStore:
    """A ClaimStore in memory, for the pacing tests (no database threads)."""

    def __init__(self) -> None:
        self.status: dict[str, str] = {}

    async def claim(self, due: DueNotification, *, retry_failed: bool) -> bool:
        if due.key in self.status:
            return False
        self.status[due.key] = "claimed"
        return True

    async def mark_sent(self, due: DueNotification, *, attempts: int) -> None:
        self.status[due.key] = "sent"

    async def mark_failed(self, due: DueNotification, *, attempts: int, error: str) -> None:
        self.status[due.key] = "failed"


def fake_due(chat: str, event_id: int = 1, *, kind: str = "alert") -> DueNotification:
    """A due notification built without a database."""
    start = TODAY + timedelta(days=40)
    event = EventView(
        id=event_id,
        slug=f"event-{event_id}",
        type="fair",
        title=Texts(fr="Salon de Dakar", ar="معرض داكار", en="Dakar fair"),
        description=None,
        country="SN",
        city="Dakar",
        venue=None,
        start_date=start,
        end_date=start + timedelta(days=2),
        sectors=("agrifood",),
        organizer="ASMEX",
        registration_url=None,
        registration_deadline=None,
        fee_mad=None,
        capacity=None,
        status="open",
        sample=False,
        source_id=None,
        today=TODAY,
    )
    return DueNotification(
        kind=kind,  # type: ignore[arg-type]
        user_id=int(chat),
        channel="telegram",
        channel_user_id=chat,
        language="fr",
        last_inbound_at=None,
        event=event,
        days_left=40,
    )


# --- rendering -------------------------------------------------------------------------------


def test_alert_in_three_languages() -> None:
    due = fake_due("1")
    fr = notify.render(due)
    ar = notify.render(DueNotification(**{**due.__dict__, "language": "ar"}))
    en = notify.render(DueNotification(**{**due.__dict__, "language": "en"}))
    assert "Nouvel événement ASMEX" in fr.text and "Salon de Dakar" in fr.text
    assert "Salon · Dakar, Sénégal" in fr.text and "15-17 février 2026" not in fr.text
    assert "24-26 février 2026" in fr.text and "stop alertes" in fr.text
    assert "حدث جديد" in ar.text and "معرض داكار" in ar.text and "أوقف التنبيهات" in ar.text
    assert "السنغال" in ar.text and "فبراير" in ar.text
    assert "New ASMEX event" in en.text and "Dakar fair" in en.text and "Senegal" in en.text
    assert [m.language for m in (fr, ar, en)] == ["fr", "ar", "en"]
    assert [m.buttons[0].title for m in (fr, ar, en)] == [
        "Voir l'événement",
        "عرض الحدث",
        "See the event",
    ]
    assert fr.recipient == "1" and fr.key == "alert:1:1"
    assert fr.template is not None and fr.template.name == notify.ALERT_TEMPLATE
    assert fr.template.parameters[0] == "Salon de Dakar"


def test_alert_mentions_deadline_and_sample() -> None:
    due = fake_due("1")
    event = EventView(
        **{**due.event.__dict__, "registration_deadline": TODAY + timedelta(days=20)}
        | {"sample": True}
    )
    text = notify.render(DueNotification(**{**due.__dict__, "event": event})).text
    assert "Inscriptions jusqu'au 4 février 2026." in text
    assert "EXEMPLE de démonstration" in text


@pytest.mark.parametrize(
    ("language", "days", "expected"),
    [
        ("fr", 1, "« Salon de Dakar » commence demain"),
        ("fr", 6, "commence dans 6 jours"),
        ("ar", 1, "يبدأ «معرض داكار» غدًا"),
        ("ar", 2, "بعد يومين"),
        ("ar", 7, "بعد 7 أيام"),
        ("en", 1, "“Dakar fair” starts tomorrow"),
        ("en", 3, "starts in 3 days"),
    ],
)
def test_reminder_wording(language: str, days: int, expected: str) -> None:
    kind = "reminder_1d" if days == 1 else "reminder_7d"
    due = DueNotification(
        **{**fake_due("1", kind=kind).__dict__, "language": language, "days_left": days}
    )
    message = notify.render(due)
    assert expected in message.text
    assert message.template is not None and message.template.name == notify.REMINDER_TEMPLATE


@pytest.mark.parametrize(
    ("days", "expected"), [(1, "غدًا"), (2, "بعد يومين"), (10, "بعد 10 أيام"), (11, "بعد 11 يومًا")]
)
def test_arabic_day_counts(days: int, expected: str) -> None:
    assert texts.in_days(days, "ar") == expected


def test_button_payload_parses_as_the_details_intent() -> None:
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message

    from tests.actions.info_support import project_domain

    payload = notify.render(fake_due("1")).buttons[0].payload
    assert payload == '/ask_mission_details{"event_slug": "event-1"}'
    parsed = YAMLStoryReader.unpack_regex_message(
        Message(data={"text": payload}), project_domain(), entity_extractor_name="test"
    )
    assert parsed.get("intent")["name"] == "ask_mission_details"
    assert [(e["entity"], e["value"]) for e in parsed.get("entities")] == [
        ("event_slug", "event-1")
    ]
    assert json.loads(payload.split("details", 1)[1]) == {"event_slug": "event-1"}


# --- pacing ----------------------------------------------------------------------------------


def test_overall_rate_is_respected(run_virtual: Run) -> None:
    notifier = FakeNotifier(max_rate_per_second=30)
    dues = [fake_due(str(i)) for i in range(100)]
    run_virtual(notify.deliver(dues, {"telegram": notifier}, MemoryStore()))  # type: ignore[dict-item]
    times = [t for t, _ in notifier.sent]
    assert len(times) == 100
    assert 99 / 30 - 1e-3 <= times[-1] - times[0] <= 99 / 30 + 0.1
    busiest = max(sum(1 for u in times if t <= u < t + 1 - 1e-6) for t in times)
    assert busiest <= 30


def test_per_recipient_spacing_without_holding_others(run_virtual: Run) -> None:
    notifier = FakeNotifier(max_rate_per_second=30, per_recipient_interval=1.0)
    dues = [fake_due("7", 1), fake_due("7", 2), fake_due("7", 3), fake_due("8", 1)]
    run_virtual(notify.deliver(dues, {"telegram": notifier}, MemoryStore()))  # type: ignore[dict-item]
    to_7 = [t for t, m in notifier.sent if m.recipient == "7"]
    to_8 = [t for t, m in notifier.sent if m.recipient == "8"]
    assert len(to_7) == 3 and min(b - a for a, b in zip(to_7, to_7[1:], strict=False)) >= 1.0 - 1e-9
    assert to_8[0] < 0.5  # not queued behind the other chat's spacing


def test_several_channels_each_at_its_own_rate(run_virtual: Run) -> None:
    telegram = FakeNotifier(max_rate_per_second=2)
    whatsapp = FakeNotifier(channel="whatsapp", max_rate_per_second=80)
    dues = [fake_due(str(i)) for i in range(6)]
    dues += [
        DueNotification(**{**d.__dict__, "channel": "whatsapp", "user_id": d.user_id + 100})
        for d in dues
    ]
    notifiers = {"telegram": telegram, "whatsapp": whatsapp}
    run_virtual(notify.deliver(dues, notifiers, MemoryStore()))  # type: ignore[arg-type]
    assert telegram.sent[-1][0] - telegram.sent[0][0] >= 2.5 - 1e-3
    assert len(telegram.sent) == len(whatsapp.sent) == 6
    assert whatsapp.sent[-1][0] - whatsapp.sent[0][0] <= 0.1


# --- outcomes over the database --------------------------------------------------------------


def test_sends_once_then_nothing(run_virtual: Run, engine: Engine, users: Any) -> None:
    users("1", "2", "3")
    notifier = FakeNotifier()
    summary = send(run_virtual, engine, notifier)
    assert sorted(m.recipient for _, m in notifier.sent) == ["1", "2", "3"]
    assert summary.count("sent", kind="alert", channel="telegram") == 3
    assert [r[2] for r in rows(engine)] == ["sent"] * 3 and notifier.closed
    again = FakeNotifier()
    assert send(run_virtual, engine, again).lines() == ["nothing due"]
    assert again.sent == []


def test_unconfigured_channel_is_skipped_not_claimed(
    run_virtual: Run, engine: Engine, users: Any
) -> None:
    users("1")
    users("web-1", channel="rest", events=0)
    summary = send(run_virtual, engine, FakeNotifier())
    assert summary.count("skipped", channel="rest") == 1
    assert summary.count("sent", channel="telegram") == 1
    assert "skipped, no notifier configured for: rest (1)" in summary.lines()
    assert [r[1] for r in rows(engine)] == ["1"]


def test_rate_limited_retried_after_retry_after(
    run_virtual: Run, engine: Engine, users: Any
) -> None:
    users("1")
    notifier = FakeNotifier(script={"1": [RateLimited(retry_after=5), RateLimited(retry_after=5)]})
    summary = send(run_virtual, engine, notifier)
    times = [t for t, _ in notifier.attempts]
    assert len(times) == 3 and all(b - a >= 5 for a, b in zip(times, times[1:], strict=False))
    assert summary.count("sent") == 1
    assert rows(engine) == [("alert", "1", "sent", 3, None)]


def test_transient_errors_back_off_exponentially(
    run_virtual: Run, engine: Engine, users: Any
) -> None:
    users("1")
    notifier = FakeNotifier(script={"1": [TransientError("502"), TransientError("timeout")]})
    send(run_virtual, engine, notifier)
    t = [t for t, _ in notifier.attempts]
    assert len(t) == 3 and 1 <= t[1] - t[0] <= 2 + 1e-3 and 2 <= t[2] - t[1] <= 3 + 1e-3
    assert rows(engine)[0][2:4] == ("sent", 3)


def test_retries_exhausted_mark_failed(run_virtual: Run, engine: Engine, users: Any) -> None:
    users("1")
    notifier = FakeNotifier(script={"1": [TransientError("bad gateway")] * 9})
    policy = notify.RetryPolicy(max_attempts=4)
    summary = send(run_virtual, engine, notifier, policy=policy)
    assert len(notifier.attempts) == 4 and notifier.sent == []
    assert rows(engine) == [("alert", "1", "failed", 4, "TransientError: bad gateway")]
    assert summary.count("failed") == 1 and "TransientError: bad gateway" in summary.lines()[-1]


def test_delivery_error_is_final(run_virtual: Run, engine: Engine, users: Any) -> None:
    users("1", "2")
    notifier = FakeNotifier(script={"1": [DeliveryError("bot blocked by the user")]})
    summary = send(run_virtual, engine, notifier)
    assert len(notifier.attempts) == 2 and [m.recipient for _, m in notifier.sent] == ["2"]
    assert rows(engine)[0] == ("alert", "1", "failed", 1, "DeliveryError: bot blocked by the user")
    assert summary.count("failed") == 1 and summary.count("sent") == 1


def test_too_long_retry_after_gives_up_at_once(
    run_virtual: Run, engine: Engine, users: Any
) -> None:
    users("1")
    notifier = FakeNotifier(script={"1": [RateLimited(retry_after=3600)]})
    send(run_virtual, engine, notifier)
    assert len(notifier.attempts) == 1
    assert rows(engine)[0][2] == "failed"


def test_unexpected_notifier_error_fails_that_message_only(
    run_virtual: Run, engine: Engine, users: Any
) -> None:
    users("1", "2")
    notifier = FakeNotifier(script={"1": [KeyError("chat_id")]})
    summary = send(run_virtual, engine, notifier)
    assert summary.count("failed") == 1 and summary.count("sent") == 1
    assert rows(engine)[0][2:] == ("failed", 1, "KeyError: 'chat_id'")


def test_failed_retried_only_with_the_flag(run_virtual: Run, engine: Engine, users: Any) -> None:
    users("1")
    send(run_virtual, engine, FakeNotifier(script={"1": [DeliveryError("chat not found")]}))
    plain = FakeNotifier()
    send(run_virtual, engine, plain)
    assert plain.attempts == []
    retry = FakeNotifier()
    summary = send(run_virtual, engine, retry, retry_failed=True)
    assert [m.recipient for _, m in retry.sent] == ["1"] and summary.count("sent") == 1
    assert rows(engine) == [("alert", "1", "sent", 2, None)]


@pytest.mark.parametrize("delivered", [False, True], ids=["before-delivery", "after-delivery"])
def test_crash_midway_then_rerun_never_duplicates(
    run_virtual: Run, engine: Engine, users: Any, delivered: bool
) -> None:
    users(*[str(i) for i in range(10)])
    # One message in flight at a time, so the crash leaves exactly one claimed row.
    first = FakeNotifier(max_rate_per_second=1, crash_after=4, crash_delivered=delivered)
    with pytest.raises(Crash):
        send(run_virtual, engine, first)
    crashed_on = first.attempts[-1][1]
    assert len(first.sent) == (5 if delivered else 4)
    statuses = [r[2] for r in rows(engine)]
    assert statuses.count("sent") == 4 and statuses.count("claimed") == 1

    second = FakeNotifier()
    summary = send(run_virtual, engine, second)
    first_chats = [m.recipient for _, m in first.sent]
    second_chats = [m.recipient for _, m in second.sent]
    assert len(second_chats) == 5 and summary.count("sent") == 5
    assert crashed_on not in second_chats  # claimed, maybe delivered: never sent twice
    everyone = first_chats + second_chats + ([] if delivered else [crashed_on])
    assert sorted(everyone, key=int) == [str(i) for i in range(10)]  # each once

    third = FakeNotifier()
    send(run_virtual, engine, third)
    assert third.attempts == []


def test_leftover_claim_is_reported_released_and_retried(
    run_virtual: Run, engine: Engine, users: Any
) -> None:
    users("1", "2")
    with Session(engine) as s, s.begin():
        user_id = s.scalars(select(User.id).where(User.channel_user_id == "1")).one()
        event_id = notes.find_due_alerts(s, today=TODAY)[0].event.id
        s.add(NotificationSent(kind="alert", user_id=user_id, event_id=event_id, status="claimed"))
    notifier = FakeNotifier()
    send(run_virtual, engine, notifier)
    assert [m.recipient for _, m in notifier.sent] == ["2"]
    with Session(engine) as s, s.begin():
        assert [c.user_id for c in notes.list_claimed(s)] == [user_id]
        assert notes.release_claims(s, claimed_before=notes.utcnow() + timedelta(seconds=1)) == 1
    retry = FakeNotifier()
    send(run_virtual, engine, retry, retry_failed=True)
    assert [m.recipient for _, m in retry.sent] == ["1"]


def test_claimed_elsewhere_between_listing_and_sending_is_skipped(
    run_virtual: Run, engine: Engine, users: Any
) -> None:
    users("1")
    dues = due_now(engine)
    with Session(engine) as s, s.begin():  # another run claims it meanwhile
        notes.claim_notification(
            s, kind="alert", user_id=dues[0].user_id, event_id=dues[0].event.id
        )
    notifier = FakeNotifier()
    summary = run_virtual(notify.send_due(engine, dues, {"telegram": notifier}))  # type: ignore[dict-item]
    assert notifier.attempts == [] and summary.count("skipped") == 1


def test_user_erased_between_listing_and_sending_is_skipped(
    run_virtual: Run, engine: Engine, users: Any
) -> None:
    users("1", "2")
    dues = due_now(engine)
    with Session(engine) as s, s.begin():
        from kb.privacy import erase_user_data

        erase_user_data(s, channel="telegram", channel_user_id="1", today=TODAY)
    notifier = FakeNotifier()
    summary = run_virtual(notify.send_due(engine, dues, {"telegram": notifier}))  # type: ignore[dict-item]
    assert [m.recipient for _, m in notifier.sent] == ["2"] and summary.count("skipped") == 1


def test_reminders_sent_once_each(run_virtual: Run, engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        user = add_user(s, "1", language="en")
        register(s, user, add_event(s, "soon", start=TODAY + timedelta(days=7)))
        register(s, user, add_event(s, "tomorrow", start=TODAY + timedelta(days=1)))
        other = add_user(s, "2")
        register(
            s, other, add_event(s, "cancelled", start=TODAY + timedelta(days=3)), status="cancelled"
        )
    notifier = FakeNotifier()
    summary = send(run_virtual, engine, notifier)
    sent = {m.key.split(":")[0]: m.text for _, m in notifier.sent}
    assert len(notifier.sent) == 2
    assert "“soon mission” starts in 7 days" in sent["reminder_7d"]
    assert "“tomorrow mission” starts tomorrow" in sent["reminder_1d"]
    assert summary.count("sent", kind="reminder_7d") == 1
    assert summary.count("sent", kind="reminder_1d") == 1
    again = FakeNotifier()
    send(run_virtual, engine, again)
    assert again.attempts == []


def test_summary_lines() -> None:
    summary = notify.Summary()
    summary.add(fake_due("1"), "sent")
    summary.add(fake_due("2"), "failed", "DeliveryError: blocked")
    assert summary.lines() == [
        "alert        telegram         sent 1  failed 1  skipped 0",
        "failed alert:2:1 (telegram, event event-1): DeliveryError: blocked",
    ]


def test_no_channel_configured_means_no_notifier(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_TOKEN", "WHATSAPP_ACCESS_TOKEN", "TWILIO_ACCOUNT_SID"):
        monkeypatch.delenv(name, raising=False)
    assert notify.notifiers_from_environment() == {}


async def test_each_configured_channel_gets_its_notifier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "TELEGRAM_TOKEN": "123456789:AAH-test-token",
        "WHATSAPP_ACCESS_TOKEN": "EAAG-test",
        "WHATSAPP_APP_SECRET": "app-secret",
        "WHATSAPP_VERIFY_TOKEN": "verify",
        "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "twilio-auth",
        "TWILIO_WHATSAPP_NUMBER": "+14155238886",
    }.items():
        monkeypatch.setenv(name, value)
    notifiers = notify.notifiers_from_environment()
    try:
        assert set(notifiers) == {"telegram", "whatsapp", "twilio_whatsapp"}
        assert all(n.channel == key for key, n in notifiers.items())
    finally:
        await notify.close_all(notifiers)
