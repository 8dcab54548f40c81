"""Registrations of companies to events: register, list, cancel."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.events import event_row, event_view
from kb.models import Event, Registration, utcnow
from kb.users import has_consent
from kb.views import (
    NotFoundError,
    RegistrationClosedError,
    RegistrationOutcome,
    RegistrationView,
    RepositoryError,
    Texts,
    view_of,
)


class ConsentRequiredError(RepositoryError):
    """The user has no recorded consent (law 09-08): their registration cannot be stored."""


def _registration_view(row: Registration) -> RegistrationView:
    return view_of(
        RegistrationView,
        row,
        event_slug=row.event.slug,
        event_title=Texts.of(row.event, "title"),
        event_start_date=row.event.start_date,
    )


def create_registration(
    session: Session,
    *,
    event_slug: str,
    user_id: int | None,
    company_name: str,
    today: date,
    ice: str | None = None,
    contact_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    sector: str | None = None,
    require_consent: bool = False,
) -> RegistrationOutcome:
    """Register to an event; a user's second registration returns the active one unchanged.

    Raises NotFoundError for an unknown event and RegistrationClosedError when the event does
    not take registrations on ``today``. With ``require_consent`` (a member registering
    through the assistant), raises ConsentRequiredError, storing nothing, unless the user has a
    recorded consent (kb.users.record_consent); staff tools and fixtures may register without.
    """
    event = event_row(session, slug=event_slug)
    if event is None:
        raise NotFoundError(f"no event with slug {event_slug!r}")
    if require_consent and (user_id is None or not has_consent(session, user_id=user_id)):
        raise ConsentRequiredError(f"user {user_id} has no recorded consent")
    if user_id is not None:
        existing = session.scalars(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.user_id == user_id,
                Registration.status == "confirmed",
            )
        ).one_or_none()
        if existing is not None:
            return RegistrationOutcome(registration=_registration_view(existing), created=False)
    if not event_view(event, today).registration_open:
        raise RegistrationClosedError(f"event {event_slug!r} does not take registrations")
    row = Registration(
        event=event,
        user_id=user_id,
        company_name=company_name,
        ice=ice,
        contact_name=contact_name,
        email=email,
        phone=phone,
        sector=sector,
        status="confirmed",
    )
    session.add(row)
    session.flush()
    return RegistrationOutcome(registration=_registration_view(row), created=True)


def list_registrations(
    session: Session, *, user_id: int, include_cancelled: bool = False
) -> list[RegistrationView]:
    """A user's registrations, soonest event first."""
    query = (
        select(Registration)
        .join(Registration.event)
        .where(Registration.user_id == user_id)
        .order_by(Event.start_date, Registration.id)
    )
    if not include_cancelled:
        query = query.where(Registration.status == "confirmed")
    return [_registration_view(r) for r in session.scalars(query)]


def cancel_registration(
    session: Session, *, user_id: int, event_slug: str
) -> RegistrationView | None:
    """Cancel the user's active registration to an event; None when there is none."""
    row = session.scalars(
        select(Registration)
        .join(Registration.event)
        .where(
            Registration.user_id == user_id,
            Event.slug == event_slug,
            Registration.status == "confirmed",
        )
    ).one_or_none()
    if row is None:
        return None
    row.status = "cancelled"
    row.cancelled_at = utcnow()
    session.flush()
    return _registration_view(row)


def list_all_registrations(
    session: Session, *, event_slug: str | None = None, include_cancelled: bool = True
) -> list[RegistrationView]:
    """Every registration (for ASMEX staff), by event date then registration time."""
    query = (
        select(Registration)
        .join(Registration.event)
        .order_by(Event.start_date, Event.slug, Registration.created_at, Registration.id)
    )
    if event_slug is not None:
        query = query.where(Event.slug == event_slug)
    if not include_cancelled:
        query = query.where(Registration.status == "confirmed")
    return [_registration_view(r) for r in session.scalars(query)]
