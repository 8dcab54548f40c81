"""Erasing a user's personal data (the right to erasure of law 09-08 / GDPR).

What is erased for one (channel, channel user id):
- registrations: kept as anonymous rows for ASMEX's statistics (event, sector, status, dates),
  but detached from the user and stripped of everything that identifies a person or a company
  (company name replaced by ``ERASED_COMPANY``, ICE, contact name, email and phone emptied);
  a confirmed registration to an event that has not ended is cancelled, since nobody can be
  contacted for it any more;
- alert subscriptions, handoff requests and the record of notifications sent: deleted;
- the user row itself (channel id, language choice, language hint, consent): deleted.

The caller owns the transaction: functions flush but never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kb.models import (
    AlertSubscription,
    Event,
    Handoff,
    NotificationSent,
    Registration,
    utcnow,
)
from kb.users import find_user_row

#: What an erased registration's company_name (NOT NULL) holds.
ERASED_COMPANY = "[erased]"


@dataclass(frozen=True)
class ErasureReport:
    """What erase_user_data did."""

    user_found: bool
    registrations_anonymised: int
    registrations_cancelled: int
    subscriptions_deleted: int
    handoffs_deleted: int
    notifications_deleted: int


def find_user_id(session: Session, *, channel: str, channel_user_id: str) -> int | None:
    """The id of a known user, without creating one (no record kept for a mere question)."""
    row = find_user_row(session, channel=channel, channel_user_id=channel_user_id)
    return row.id if row is not None else None


def erase_user_data(
    session: Session, *, channel: str, channel_user_id: str, today: date
) -> ErasureReport:
    """Erase everything that identifies this user; a user never seen is not created."""
    user = find_user_row(session, channel=channel, channel_user_id=channel_user_id)
    if user is None:
        return ErasureReport(False, 0, 0, 0, 0, 0)

    registrations = list(
        session.scalars(
            select(Registration).join(Registration.event).where(Registration.user_id == user.id)
        )
    )
    cancelled = 0
    for row in registrations:
        event: Event = row.event
        if row.status == "confirmed" and event.end_date >= today:
            row.status = "cancelled"
            row.cancelled_at = utcnow()
            cancelled += 1
        row.user_id = None
        row.company_name = ERASED_COMPANY
        row.ice = None
        row.contact_name = None
        row.email = None
        row.phone = None
    session.flush()

    counts = {}
    for name, model in (
        ("subscriptions", AlertSubscription),
        ("handoffs", Handoff),
        ("notifications", NotificationSent),
    ):
        result = session.execute(delete(model).where(model.user_id == user.id))
        counts[name] = result.rowcount or 0
    session.delete(user)
    session.flush()
    return ErasureReport(
        user_found=True,
        registrations_anonymised=len(registrations),
        registrations_cancelled=cancelled,
        subscriptions_deleted=counts["subscriptions"],
        handoffs_deleted=counts["handoffs"],
        notifications_deleted=counts["notifications"],
    )
