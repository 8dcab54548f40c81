"""Registrations to events: idempotent, cancellable, refused when closed."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from kb.registrations import (
    ConsentRequiredError,
    cancel_registration,
    create_registration,
    list_all_registrations,
    list_registrations,
)
from kb.users import get_or_create_user, record_consent
from kb.views import NotFoundError, RegistrationClosedError
from tests.kb.conftest import TODAY


def test_create_registration_is_idempotent_and_cancellable(events: Session) -> None:
    user = get_or_create_user(events, channel="telegram", channel_user_id="42")
    first = create_registration(
        events,
        event_slug="soon-2026",
        user_id=user.id,
        company_name="Argan SA",
        ice="001234567000089",
        today=TODAY,
    )
    again = create_registration(
        events, event_slug="soon-2026", user_id=user.id, company_name="Other name", today=TODAY
    )
    assert first.created and not again.created
    assert again.registration.id == first.registration.id
    assert again.registration.company_name == "Argan SA"
    assert [r.event_slug for r in list_registrations(events, user_id=user.id)] == ["soon-2026"]

    cancelled = cancel_registration(events, user_id=user.id, event_slug="soon-2026")
    assert cancelled and cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert cancel_registration(events, user_id=user.id, event_slug="soon-2026") is None
    assert list_registrations(events, user_id=user.id) == []
    assert len(list_registrations(events, user_id=user.id, include_cancelled=True)) == 1

    renewed = create_registration(
        events, event_slug="soon-2026", user_id=user.id, company_name="Argan SA", today=TODAY
    )
    assert renewed.created and renewed.registration.id != first.registration.id
    events.commit()
    assert [r.status for r in list_all_registrations(events)] == ["cancelled", "confirmed"]
    assert list_all_registrations(events, event_slug="later-2026") == []


@pytest.mark.parametrize("slug", ["past-2025", "cancelled-2026"])
def test_registration_refused_when_event_not_open(events: Session, slug: str) -> None:
    user = get_or_create_user(events, channel="telegram", channel_user_id="42")
    with pytest.raises(RegistrationClosedError):
        create_registration(events, event_slug=slug, user_id=user.id, company_name="X", today=TODAY)


def test_registration_to_unknown_event(events: Session) -> None:
    with pytest.raises(NotFoundError):
        create_registration(events, event_slug="nope", user_id=None, company_name="X", today=TODAY)


def test_list_registrations_soonest_event_first(events: Session) -> None:
    user = get_or_create_user(events, channel="telegram", channel_user_id="42")
    for slug in ["later-2026", "soon-2026"]:
        create_registration(events, event_slug=slug, user_id=user.id, company_name="X", today=TODAY)
    assert [r.event_slug for r in list_registrations(events, user_id=user.id)] == [
        "soon-2026",
        "later-2026",
    ]


def test_a_members_registration_needs_a_recorded_consent(events: Session) -> None:
    user = get_or_create_user(events, channel="whatsapp", channel_user_id="212600000001")
    details = dict(event_slug="soon-2026", company_name="Atlas", today=TODAY, require_consent=True)
    with pytest.raises(ConsentRequiredError):
        create_registration(events, user_id=user.id, **details)
    with pytest.raises(ConsentRequiredError):
        create_registration(events, user_id=None, **details)
    assert list_registrations(events, user_id=user.id) == []
    record_consent(
        events, channel="whatsapp", channel_user_id="212600000001", version="v1", language="ar"
    )
    outcome = create_registration(events, user_id=user.id, **details)
    assert outcome.created
