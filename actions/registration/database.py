"""The registration actions' database work (run in a worker thread by run_db)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from actions.registration.consent import accepted_before
from kb.events import get_event_by_slug, list_events
from kb.registrations import cancel_registration, create_registration, list_registrations
from kb.users import get_or_create_user
from kb.views import EventView, RegistrationOutcome, RegistrationView


def _user_id(session: Session, channel: str, user: str, language: str | None = None) -> int:
    return get_or_create_user(
        session, channel=channel, channel_user_id=user, language_hint=language
    ).id


@dataclass(frozen=True)
class EventCheck:
    """An event asked for, the user's active registration to it, and whether the user
    accepted the current consent text before."""

    event: EventView | None
    registration: RegistrationView | None = None
    consented: bool = False


def check_event(session: Session, *, slug: str, channel: str, user: str, today: Any) -> EventCheck:
    """The event, the user's active registration to it, if any, and their consent."""
    event = get_event_by_slug(session, slug=slug, today=today)
    if event is None:
        return EventCheck(None)
    user_id = _user_id(session, channel, user)
    active = [r for r in list_registrations(session, user_id=user_id) if r.event_slug == slug]
    return EventCheck(
        event,
        active[0] if active else None,
        accepted_before(session, channel=channel, user=user),
    )


def register(
    session: Session,
    *,
    channel: str,
    user: str,
    slug: str,
    today: Any,
    details: dict[str, Any],
    language: str | None = None,
) -> tuple[RegistrationOutcome, EventView]:
    """Save the registration (once per user and event) and return it with its event.

    Raises ConsentRequiredError, saving nothing, when the user has no recorded consent.
    ``language`` (the conversation's reply language) is kept on the user for the reminders.
    """
    user_id = _user_id(session, channel, user, language)
    outcome = create_registration(
        session, event_slug=slug, user_id=user_id, today=today, require_consent=True, **details
    )
    event = get_event_by_slug(session, slug=slug, today=today)
    assert event is not None  # create_registration raised NotFoundError otherwise
    return outcome, event


def user_registrations(session: Session, *, channel: str, user: str) -> list[RegistrationView]:
    """The user's active registrations, soonest event first."""
    return list_registrations(session, user_id=_user_id(session, channel, user))


def cancel(session: Session, *, channel: str, user: str, slug: str) -> RegistrationView | None:
    """Cancel the user's registration to the event; None when there was none."""
    return cancel_registration(session, user_id=_user_id(session, channel, user), event_slug=slug)


def open_events(session: Session, *, today: Any) -> list[EventView]:
    """Upcoming events that take registrations, soonest first."""
    return [e for e in list_events(session, today=today, limit=None) if e.registration_open]
