"""Database constraints that hold whatever code writes the rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.models import AlertSubscription, Event, NotificationSent, Registration, User


def _event(slug: str = "dakar-2027", **overrides: object) -> Event:
    values: dict[str, object] = dict(
        slug=slug,
        type="mission",
        title_fr="Mission",
        title_ar="بعثة",
        title_en="Mission",
        country="SN",
        city="Dakar",
        start_date=date(2027, 3, 15),
        end_date=date(2027, 3, 18),
        sectors=["agrifood"],
        organizer="ASMEX",
    )
    values.update(overrides)
    return Event(**values)


def test_event_defaults_and_json_sectors_round_trip(session: Session) -> None:
    session.add(_event(sectors=["agrifood", "logistics"]))
    session.commit()
    row = session.scalars(select(Event)).one()
    assert row.status == "open"
    assert row.sample is False
    assert row.sectors == ["agrifood", "logistics"]
    assert row.created_at is not None and row.updated_at is not None


@pytest.mark.parametrize(
    "overrides",
    [
        {"type": "cruise"},
        {"status": "postponed"},
        {"end_date": date(2027, 3, 1)},
    ],
)
def test_event_check_constraints(session: Session, overrides: dict[str, object]) -> None:
    session.add(_event(**overrides))
    with pytest.raises(IntegrityError):
        session.commit()


def test_event_slug_is_unique(session: Session) -> None:
    session.add_all([_event(), _event()])
    with pytest.raises(IntegrityError):
        session.commit()


def test_only_one_confirmed_registration_per_user_and_event(session: Session) -> None:
    event, user = _event(), User(channel="telegram", channel_user_id="42")
    session.add_all([event, user])
    session.flush()

    def registration(status: str) -> Registration:
        return Registration(
            event_id=event.id, user_id=user.id, company_name="Argan SA", status=status
        )

    session.add_all(
        [registration("cancelled"), registration("cancelled"), registration("confirmed")]
    )
    session.commit()  # cancelled ones do not count
    session.add(registration("confirmed"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_alert_subscription_unique_per_user_and_filters_including_nulls(session: Session) -> None:
    user = User(channel="telegram", channel_user_id="42")
    session.add(user)
    session.flush()
    session.add_all(
        [
            AlertSubscription(user_id=user.id, country="KE"),
            AlertSubscription(user_id=user.id, country="KE", sector="ict"),
            AlertSubscription(user_id=user.id),
        ]
    )
    session.commit()
    session.add(AlertSubscription(user_id=user.id, country="KE"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_notification_is_recorded_once(session: Session) -> None:
    event, user = _event(), User(channel="whatsapp", channel_user_id="+212600000000")
    session.add_all([event, user])
    session.flush()
    session.add(NotificationSent(kind="reminder", user_id=user.id, event_id=event.id))
    session.commit()
    session.add(NotificationSent(kind="reminder", user_id=user.id, event_id=event.id))
    with pytest.raises(IntegrityError):
        session.commit()


def test_user_identity_is_unique_per_channel(session: Session) -> None:
    session.add_all(
        [
            User(channel="telegram", channel_user_id="1"),
            User(channel="whatsapp", channel_user_id="1"),
        ]
    )
    session.commit()
    session.add(User(channel="telegram", channel_user_id="1"))
    with pytest.raises(IntegrityError):
        session.commit()
