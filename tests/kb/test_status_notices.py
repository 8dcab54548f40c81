"""A registration's status set by staff, and the notice queued for its member: superseded by
a newer change, claimed from 'pending' by the sender; migration 0008 on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.migrate import downgrade_to, upgrade_to_head
from kb.models import NotificationSent, Registration
from kb.notifications import claim_notification
from kb.privacy import erase_user_data
from kb.registrations import AlreadyRegisteredError, set_registration_status
from kb.session import make_engine
from kb.status_notices import find_due_status_notices, queue_status_notice, recipients
from kb.views import NotFoundError
from tests.support.db_servers import postgres_server
from tests.support.notify import TODAY, add_event, add_user, register


def _registration(session: Session, user_id: int | None = None) -> Registration:
    return session.scalars(select(Registration).where(Registration.user_id == user_id)).one()


def _rows(session: Session) -> list[tuple[str, str]]:
    rows = session.scalars(select(NotificationSent).order_by(NotificationSent.id))
    return [(r.kind, r.status) for r in rows]


def test_setting_a_status_reports_the_change_and_stamps_cancellations(session: Session) -> None:
    event = add_event(session, "mission-dakar")
    user = add_user(session, "111")
    register(session, user, event)
    row = _registration(session, user.id)
    change = set_registration_status(
        session, event_slug="mission-dakar", registration_id=row.id, status="cancelled"
    )
    assert (change.before, change.registration.status, change.changed) == (
        "confirmed",
        "cancelled",
        True,
    )
    assert change.registration.cancelled_at is not None and change.event_id == event.id
    again = set_registration_status(
        session, event_slug="mission-dakar", registration_id=row.id, status="waitlisted"
    )
    assert again.registration.cancelled_at is None and again.before == "cancelled"
    same = set_registration_status(
        session, event_slug="mission-dakar", registration_id=row.id, status="waitlisted"
    )
    assert not same.changed
    with pytest.raises(ValueError, match="unknown registration status"):
        set_registration_status(
            session, event_slug="mission-dakar", registration_id=row.id, status="paid"
        )
    with pytest.raises(NotFoundError):
        set_registration_status(
            session, event_slug="other", registration_id=row.id, status="confirmed"
        )


def test_a_member_is_confirmed_once_per_event(session: Session) -> None:
    event = add_event(session, "mission-dakar")
    user = add_user(session, "111")
    register(session, user, event)
    register(session, user, event, status="waitlisted")
    waiting = session.scalars(select(Registration).where(Registration.status == "waitlisted")).one()
    with pytest.raises(AlreadyRegisteredError):
        set_registration_status(
            session, event_slug="mission-dakar", registration_id=waiting.id, status="confirmed"
        )


def test_a_newer_change_supersedes_the_notices_not_being_sent(session: Session) -> None:
    event = add_event(session, "mission-dakar")
    user = add_user(session, "111", language="ar")
    assert queue_status_notice(session, user_id=user.id, event_id=event.id, status="waitlisted")
    assert _rows(session) == [("registration_waitlisted", "pending")]
    assert queue_status_notice(session, user_id=user.id, event_id=event.id, status="confirmed")
    assert _rows(session) == [("registration_confirmed", "pending")]
    # The sender claims the pending row (once).
    kind = "registration_confirmed"
    assert claim_notification(session, kind=kind, user_id=user.id, event_id=event.id)
    assert not claim_notification(session, kind=kind, user_id=user.id, event_id=event.id)
    # A notice being sent is left alone; the same notice is not queued twice meanwhile.
    assert not queue_status_notice(session, user_id=user.id, event_id=event.id, status="confirmed")
    assert queue_status_notice(session, user_id=user.id, event_id=event.id, status="cancelled")
    assert sorted(_rows(session)) == [
        ("registration_cancelled", "pending"),
        ("registration_confirmed", "claimed"),
    ]
    (due,) = find_due_status_notices(session, today=TODAY)
    assert (due.kind, due.language, due.channel_user_id) == ("registration_cancelled", "ar", "111")
    assert due.event.slug == "mission-dakar" and due.days_left == 60


def test_alerts_and_reminders_are_not_superseded(session: Session) -> None:
    event = add_event(session, "mission-dakar")
    user = add_user(session, "111")
    assert claim_notification(session, kind="alert", user_id=user.id, event_id=event.id)
    queue_status_notice(session, user_id=user.id, event_id=event.id, status="cancelled")
    assert ("alert", "claimed") in _rows(session)


def test_recipients_say_where_and_in_which_language(session: Session) -> None:
    fr = add_user(session, "111", language="fr")
    en = add_user(session, "+44", channel="twilio_whatsapp", hint="en-GB")
    found = recipients(session, user_ids={fr.id, en.id})
    assert (found[fr.id].channel, found[fr.id].language) == ("telegram", "fr")
    assert (found[en.id].channel, found[en.id].language) == ("twilio_whatsapp", "en")
    assert recipients(session, user_ids=set()) == {}


def test_erasing_a_member_takes_them_off_the_waiting_list(session: Session) -> None:
    event = add_event(session, "mission-dakar")
    user = add_user(session, "111")
    register(session, user, event, status="waitlisted")
    erase_user_data(session, channel="telegram", channel_user_id="111", today=TODAY)
    (row,) = session.scalars(select(Registration)).all()
    assert (row.user_id, row.status) == (None, "cancelled")


def _migration_round_trip(url: str) -> None:
    """Up to head, a waitlisted registration and a pending notice; down to 0007 (they become
    cancelled and failed, which the older checks accept); the new statuses are refused there."""
    upgrade_to_head(url)
    engine: Engine = make_engine(url)
    with Session(engine) as session, session.begin():
        event = add_event(session, "mission-dakar")
        user = add_user(session, "111")
        register(session, user, event, status="waitlisted")
        queue_status_notice(session, user_id=user.id, event_id=event.id, status="waitlisted")
    engine.dispose()
    downgrade_to(url, "0007")
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM registrations")).scalar() == "cancelled"
        assert (
            connection.execute(text("SELECT status FROM notifications_sent")).scalar() == "failed"
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE registrations SET status = 'waitlisted'"))
    engine.dispose()
    upgrade_to_head(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE registrations SET status = 'waitlisted'"))
        connection.execute(text("UPDATE notifications_sent SET status = 'pending'"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE registrations SET status = 'paid'"))
    engine.dispose()


def test_migration_0008_on_sqlite(db_url: str) -> None:
    _migration_round_trip(db_url)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres_server() as pg:
        pg.create_database("statuses")
        yield pg.url("statuses")


def test_migration_0008_on_postgresql(postgres_url: str) -> None:
    _migration_round_trip(postgres_url)
