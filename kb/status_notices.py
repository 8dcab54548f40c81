"""Telling members their registration's new status: a notice queued with the change.

When staff change a registration's status, the same transaction queues a notifications_sent
row of kind ``registration_<status>`` as ``pending``: the change and its notice commit
together, so a notice is never lost between them. The sender (outbound.notify's
``send_status_notices`` right after the change, or ``notify-pending`` later) claims the row,
sends it on the member's channel in their language and marks it, as alerts are sent.

A newer change supersedes the older ones' notices not sent yet, and the record of those sent
(so a status told once may be told again after another change); a notice being sent
(``claimed``) is left alone. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kb.events import event_view
from kb.models import Event, NotificationSent, User, utcnow
from kb.notifications import STATUS_KINDS, DueNotification, Kind, preferred_language


@dataclass(frozen=True)
class Recipient:
    """Where and how a member is told: their channel and the language notices are in."""

    channel: str
    language: str


def recipients(session: Session, *, user_ids: Collection[int]) -> dict[int, Recipient]:
    """The channel and notice language of each of these members (by user id)."""
    if not user_ids:
        return {}
    rows = session.scalars(select(User).where(User.id.in_(list(user_ids))))
    return {
        row.id: Recipient(row.channel, preferred_language(row.language, row.language_hint))
        for row in rows
    }


def status_kind(status: str) -> Kind:
    """The notice kind telling ``status`` (ValueError for a status without one)."""
    for kind in STATUS_KINDS:
        if kind == f"registration_{status}":
            return kind
    raise ValueError(f"no notice for registration status {status!r}")


def queue_status_notice(session: Session, *, user_id: int, event_id: int, status: str) -> bool:
    """Queue the notice of a registration's new ``status`` for its member; False when the
    same notice is being sent right now (it is not queued twice)."""
    kind = status_kind(status)
    session.execute(
        delete(NotificationSent).where(
            NotificationSent.kind.in_(STATUS_KINDS),
            NotificationSent.user_id == user_id,
            NotificationSent.event_id == event_id,
            NotificationSent.status != "claimed",
        )
    )
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    inserted = session.execute(
        insert(NotificationSent)
        .values(kind=kind, user_id=user_id, event_id=event_id, status="pending", sent_at=utcnow())
        .on_conflict_do_nothing(index_elements=["kind", "user_id", "event_id"])
    )
    return bool(inserted.rowcount)


def find_due_status_notices(
    session: Session,
    *,
    today: date,
    user_id: int | None = None,
    event_id: int | None = None,
    retry_failed: bool = False,
) -> list[DueNotification]:
    """The queued status notices (of one member and event when given), oldest first; the
    failed ones too with ``retry_failed``."""
    statuses = ("pending", "failed") if retry_failed else ("pending",)
    query = (
        select(NotificationSent.kind, NotificationSent.status, User, Event)
        .join(User, User.id == NotificationSent.user_id)
        .join(Event, Event.id == NotificationSent.event_id)
        .where(NotificationSent.kind.in_(STATUS_KINDS), NotificationSent.status.in_(statuses))
        .order_by(NotificationSent.sent_at, NotificationSent.id)
    )
    if user_id is not None:
        query = query.where(NotificationSent.user_id == user_id)
    if event_id is not None:
        query = query.where(NotificationSent.event_id == event_id)
    return [
        DueNotification(
            kind=status_kind(kind.removeprefix("registration_")),
            user_id=user.id,
            channel=user.channel,
            channel_user_id=user.channel_user_id,
            language=preferred_language(user.language, user.language_hint),
            last_inbound_at=user.last_inbound_at,
            event=event_view(event, today),
            days_left=(event.start_date - today).days,
            previous_status="failed" if status == "failed" else None,
        )
        for kind, status, user, event in session.execute(query)
    ]
