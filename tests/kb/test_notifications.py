"""Which alerts and reminders are due, and the claims that send each one at most once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kb import notifications as notes
from kb.alerts import subscribe_alerts
from kb.models import AlertSubscription, NotificationSent, utcnow
from kb.privacy import erase_user_data
from tests.support.notify import T0, TODAY, add_event, add_user, register, subscribe


def alerts(session: Session, **kwargs: object) -> list[tuple[str, str]]:
    """(user's chat id, event slug) of the alerts due today."""
    return [
        (d.channel_user_id, d.event.slug)
        for d in notes.find_due_alerts(session, today=TODAY, **kwargs)  # type: ignore[arg-type]
    ]


def reminders(session: Session, today: object = TODAY, **kwargs: object) -> list[tuple[str, str]]:
    """(kind, event slug) of the reminders due on ``today``."""
    return [
        (d.kind, d.event.slug)
        for d in notes.find_due_reminders(session, today=today, **kwargs)  # type: ignore[arg-type]
    ]


# --- alerts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, True),
        ({"country": "SN"}, True),
        ({"country": "KE"}, False),
        ({"sector": "logistics"}, True),
        ({"sector": "ict"}, False),
        ({"event_type": "mission"}, True),
        ({"event_type": "fair"}, False),
        ({"country": "SN", "sector": "agrifood", "event_type": "mission"}, True),
        ({"country": "SN", "sector": "agrifood", "event_type": "fair"}, False),
    ],
)
def test_subscription_filters(session: Session, filters: dict[str, str], expected: bool) -> None:
    user = add_user(session, "100")
    subscribe(session, user, **filters)
    add_event(
        session, "dakar", country="SN", event_type="mission", sectors=("agrifood", "logistics")
    )
    assert alerts(session) == ([("100", "dakar")] if expected else [])


def test_event_without_sectors_matches_every_sector(session: Session) -> None:
    subscribe(session, add_user(session, "100"), sector="textile")
    add_event(session, "open-to-all", sectors=())
    assert alerts(session) == [("100", "open-to-all")]


def test_inactive_subscription_gets_nothing(session: Session) -> None:
    subscribe(session, add_user(session, "100"), active=False)
    add_event(session, "dakar")
    assert alerts(session) == []


@pytest.mark.parametrize(
    "event",
    [
        {"start": TODAY - timedelta(days=10)},  # past
        {"start": TODAY - timedelta(days=1), "days": 5},  # ongoing
        {"start": TODAY},  # starts today: not upcoming
        {"status": "closed"},
        {"status": "cancelled"},
        {"deadline": TODAY - timedelta(days=1)},  # registrations over
    ],
)
def test_only_upcoming_events_taking_registrations(session: Session, event: dict) -> None:
    subscribe(session, add_user(session, "100"))
    add_event(session, "e", **event)
    assert alerts(session) == []


def test_deadline_today_still_alerts(session: Session) -> None:
    subscribe(session, add_user(session, "100"))
    add_event(session, "e", deadline=TODAY)
    assert alerts(session) == [("100", "e")]


def test_event_created_before_the_subscription_is_not_alerted(session: Session) -> None:
    user = add_user(session, "100")
    subscribe(session, user, at=T0)
    add_event(session, "older", at=T0 - timedelta(minutes=1))
    add_event(session, "newer", at=T0 + timedelta(minutes=1))
    assert alerts(session) == [("100", "newer")]


def test_resubscribing_starts_again_now(session: Session) -> None:
    user = add_user(session, "100")
    subscribe(session, user, country="SN", active=False, at=T0)
    add_event(session, "while-inactive", at=T0 + timedelta(days=1))
    subscribe_alerts(session, user_id=user.id, country="SN")
    row = session.scalars(select(AlertSubscription)).one()
    assert row.active and row.created_at.replace(tzinfo=None) > T0.replace(tzinfo=None)
    assert alerts(session) == []


def test_one_alert_per_user_however_many_subscriptions_match(session: Session) -> None:
    user = add_user(session, "100")
    subscribe(session, user, country="SN")
    subscribe(session, user, sector="agrifood")
    subscribe(session, user)
    subscribe(session, add_user(session, "200"), event_type="mission")
    add_event(session, "dakar")
    assert sorted(alerts(session)) == [("100", "dakar"), ("200", "dakar")]


def test_only_for_the_events_asked(session: Session) -> None:
    subscribe(session, add_user(session, "100"))
    add_event(session, "a")
    add_event(session, "b")
    assert alerts(session, event_slugs=["b"]) == [("100", "b")]


@pytest.mark.parametrize(
    ("status", "retry_failed", "due"),
    [
        ("claimed", False, False),
        ("claimed", True, False),
        ("sent", True, False),
        ("failed", False, False),
        ("failed", True, True),
    ],
)
def test_a_recorded_alert_is_not_due_again(
    session: Session, status: str, retry_failed: bool, due: bool
) -> None:
    user = add_user(session, "100")
    subscribe(session, user)
    event = add_event(session, "dakar")
    session.add(NotificationSent(kind="alert", user_id=user.id, event_id=event.id, status=status))
    session.flush()
    found = notes.find_due_alerts(session, today=TODAY, retry_failed=retry_failed)
    assert [d.previous_status for d in found] == (["failed"] if due else [])


@pytest.mark.parametrize(
    ("language", "hint", "expected"),
    [
        ("en", "ar", "en"),
        ("ar", None, "ar"),
        (None, "ar", "ar"),
        (None, "ar-MA", "ar"),
        (None, "en-US", "en"),
        (None, "EN_gb", "en"),
        (None, "fr", "fr"),
        (None, "es", "fr"),
        (None, "are", "fr"),
        (None, None, "fr"),
        ("xx", "en", "en"),
    ],
)
def test_preferred_language(language: str | None, hint: str | None, expected: str) -> None:
    assert notes.preferred_language(language, hint) == expected


def test_due_alert_carries_language_and_days_left(session: Session) -> None:
    subscribe(session, add_user(session, "100", hint="ar"))
    add_event(session, "dakar", start=TODAY + timedelta(days=30))
    (due,) = notes.find_due_alerts(session, today=TODAY)
    assert (due.kind, due.language, due.days_left, due.channel) == ("alert", "ar", 30, "telegram")
    assert due.key == f"alert:{due.user_id}:{due.event.id}"


# --- reminders -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [(9, None), (8, None), (7, "reminder_7d"), (5, "reminder_7d"), (2, "reminder_7d")]
    + [(1, "reminder_1d"), (0, None), (-1, None)],
)
def test_reminder_kind(days_left: int, kind: str | None) -> None:
    assert notes.reminder_kind(days_left) == kind


def test_reminders_once_each_over_the_days(session: Session) -> None:
    user = add_user(session, "100")
    event = add_event(session, "dakar", start=TODAY + timedelta(days=8))
    register(session, user, event)
    seen = {}
    for offset in range(10):  # from 8 days before to the day after the start
        day = TODAY + timedelta(days=offset)
        for due in notes.find_due_reminders(session, today=day):
            session.add(
                NotificationSent(
                    kind=due.kind, user_id=due.user_id, event_id=due.event.id, status="sent"
                )
            )
            seen[due.kind] = (due.days_left, seen.get(due.kind, (0, 0))[1] + 1)
        session.flush()
    assert seen == {"reminder_7d": (7, 1), "reminder_1d": (1, 1)}


def test_a_late_run_sends_the_7_day_reminder_while_relevant(session: Session) -> None:
    user = add_user(session, "100")
    event = add_event(session, "dakar", start=TODAY + timedelta(days=5))
    register(session, user, event)
    (due,) = notes.find_due_reminders(session, today=TODAY)
    assert (due.kind, due.days_left) == ("reminder_7d", 5)


def test_the_1_day_reminder_replaces_an_unsent_7_day_one(session: Session) -> None:
    user = add_user(session, "100")
    event = add_event(session, "dakar", start=TODAY + timedelta(days=1))
    register(session, user, event)
    assert reminders(session) == [("reminder_1d", "dakar")]
    assert reminders(session, retry_failed=True) == [("reminder_1d", "dakar")]


def test_registration_on_the_eve_gets_only_the_1_day_reminder(session: Session) -> None:
    user = add_user(session, "100")
    event = add_event(session, "dakar", start=TODAY + timedelta(days=1))
    register(session, user, event)
    assert reminders(session, today=TODAY + timedelta(days=1)) == []  # start day: nothing


@pytest.mark.parametrize(
    ("registration", "event", "user"),
    [
        ("cancelled", "open", "kept"),
        ("confirmed", "cancelled", "kept"),
        ("confirmed", "open", "anonymous"),
        ("confirmed", "open", "erased"),
    ],
)
def test_no_reminder_without_a_live_registration(
    session: Session, registration: str, event: str, user: str
) -> None:
    person = add_user(session, "100")
    row = add_event(session, "dakar", start=TODAY + timedelta(days=3), status=event)
    register(session, None if user == "anonymous" else person, row, status=registration)
    if user == "erased":
        erase_user_data(session, channel="telegram", channel_user_id="100", today=TODAY)
    assert reminders(session) == []


def test_closed_event_still_reminded(session: Session) -> None:
    user = add_user(session, "100")
    event = add_event(session, "dakar", start=TODAY + timedelta(days=3), status="closed")
    register(session, user, event)
    assert reminders(session) == [("reminder_7d", "dakar")]


# --- claims ----------------------------------------------------------------------------------


def claim(engine: Engine, user_id: int, event_id: int, *, retry_failed: bool = False) -> bool:
    with Session(engine) as s, s.begin():
        return notes.claim_notification(
            s, kind="alert", user_id=user_id, event_id=event_id, retry_failed=retry_failed
        )


def row_of(engine: Engine) -> tuple[str, int, str | None]:
    with Session(engine) as s:
        row = s.scalars(select(NotificationSent)).one()
        return row.status, row.attempts, row.last_error


@pytest.fixture()
def pair(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s, s.begin():
        return add_user(s, "100").id, add_event(s, "dakar").id


def test_claim_once(engine: Engine, pair: tuple[int, int]) -> None:
    assert claim(engine, *pair) is True
    assert claim(engine, *pair) is False
    assert claim(engine, *pair, retry_failed=True) is False  # claimed, not failed
    assert row_of(engine) == ("claimed", 0, None)


def test_sent_then_never_claimed_again(engine: Engine, pair: tuple[int, int]) -> None:
    claim(engine, *pair)
    with Session(engine) as s, s.begin():
        notes.mark_sent(s, kind="alert", user_id=pair[0], event_id=pair[1], attempts=2)
    assert row_of(engine) == ("sent", 2, None)
    assert claim(engine, *pair, retry_failed=True) is False


def test_failed_reclaimed_only_when_retrying(engine: Engine, pair: tuple[int, int]) -> None:
    claim(engine, *pair)
    with Session(engine) as s, s.begin():
        notes.mark_failed(
            s, kind="alert", user_id=pair[0], event_id=pair[1], attempts=3, error="x" * 900
        )
    status, attempts, error = row_of(engine)
    assert (status, attempts, len(error or "")) == ("failed", 3, notes.MAX_ERROR_LENGTH)
    assert claim(engine, *pair) is False
    assert claim(engine, *pair, retry_failed=True) is True
    with Session(engine) as s, s.begin():
        notes.mark_sent(s, kind="alert", user_id=pair[0], event_id=pair[1], attempts=1)
    assert row_of(engine) == ("sent", 4, None)


def test_release_old_claims(engine: Engine, pair: tuple[int, int]) -> None:
    claim(engine, *pair)
    with Session(engine) as s, s.begin():
        assert notes.release_claims(s, claimed_before=utcnow() - timedelta(minutes=5)) == 0
        (stuck,) = notes.list_claimed(s)
        assert (stuck.kind, stuck.event_slug) == ("alert", "dakar")
        assert notes.release_claims(s, claimed_before=utcnow() + timedelta(seconds=1)) == 1
        assert notes.list_claimed(s) == []
    assert row_of(engine)[0] == "failed"
    assert claim(engine, *pair, retry_failed=True) is True
