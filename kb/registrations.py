"""Registrations of companies to events: register, list, cancel; staff change a status."""

from __future__ import annotations

from dataclasses import dataclass
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
from nlu.vocabulary.canonical import REGISTRATION_STATUSES


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
    session: Session,
    *,
    event_slug: str | None = None,
    include_cancelled: bool = True,
    status: str | None = None,
) -> list[RegistrationView]:
    """Every registration (for ASMEX staff), by event date then registration time; only
    those of one event and of one status when given."""
    query = (
        select(Registration)
        .join(Registration.event)
        .order_by(Event.start_date, Event.slug, Registration.created_at, Registration.id)
    )
    if event_slug is not None:
        query = query.where(Event.slug == event_slug)
    if not include_cancelled:
        query = query.where(Registration.status == "confirmed")
    if status is not None:
        query = query.where(Registration.status == status)
    return [_registration_view(r) for r in session.scalars(query)]


class AlreadyRegisteredError(RepositoryError):
    """Confirming this registration would give its member two confirmed ones to one event."""


@dataclass(frozen=True)
class StatusChange:
    """A registration's status before and after a change, and whose it is."""

    registration: RegistrationView
    before: str
    event_id: int

    @property
    def changed(self) -> bool:
        """The status is not the one it was."""
        return self.before != self.registration.status


def set_registration_status(
    session: Session, *, event_slug: str, registration_id: int, status: str
) -> StatusChange:
    """Set a registration's status (confirmed, waitlisted, cancelled), for staff.

    Raises ValueError for another status, NotFoundError when the event has no such
    registration, AlreadyRegisteredError when confirming it while its member has another
    confirmed registration to the event. Setting the status it has changes nothing.
    """
    if status not in REGISTRATION_STATUSES:
        raise ValueError(f"unknown registration status {status!r}")
    row = session.scalars(
        select(Registration)
        .join(Registration.event)
        .where(Registration.id == registration_id, Event.slug == event_slug)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"event {event_slug!r} has no registration {registration_id}")
    before = str(row.status)
    if status != before:
        if status == "confirmed" and row.user_id is not None:
            other = session.scalars(
                select(Registration.id).where(
                    Registration.event_id == row.event_id,
                    Registration.user_id == row.user_id,
                    Registration.status == "confirmed",
                    Registration.id != row.id,
                )
            ).first()
            if other is not None:
                raise AlreadyRegisteredError(f"user {row.user_id} is already confirmed")
        row.status = status
        row.cancelled_at = utcnow() if status == "cancelled" else None
        session.flush()
    return StatusChange(_registration_view(row), before, int(row.event_id))
