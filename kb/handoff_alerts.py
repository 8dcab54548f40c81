"""Staff alerts about handoffs: what an alert says, who receives it, the record that sends each
one once, and which handoffs waited too long (escalation).

A ``handoff_notifications`` row (handoff, kind, target) is claimed in a committed transaction
before the send, then marked ``sent`` or ``failed``; an existing row makes the alert not due,
except a ``failed`` one when the caller retries those. A ``claimed`` row left by a process that
died mid-send is not sent again. A handoff is escalated once: ``escalated_at`` is set by an
update that only one process can win. The caller owns the transactions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Final, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.models import Handoff, HandoffNotification, Region, StaffAccount, User
from kb.views import Texts
from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES
from nlu.vocabulary.contacts import normalize_email

Kind = Literal["new", "escalation"]
NEW: Final = "new"
ESCALATION: Final = "escalation"
#: A failed alert is tried this many times in all, then left failed.
MAX_ATTEMPTS: Final = 5
MAX_ERROR_LENGTH: Final = 200


@dataclass(frozen=True)
class HandoffAlert:
    """What a staff alert says of a handoff: no phone, e-mail, name or message of the member."""

    handoff_id: int
    region: str | None
    #: The region's names, when the knowledge base knows the region.
    region_name: Texts | None
    #: The member's reply language (fr, ar, en).
    language: str
    channel: str
    created_at: datetime


@dataclass(frozen=True)
class Recipient:
    """A staff address an alert goes to, and the language it is written in."""

    email: str
    language: str


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive UTC datetimes, PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _language(summary: str | None) -> str:
    try:
        language = json.loads(summary or "{}").get("language")
    except (ValueError, AttributeError):
        language = None
    return language if language in REPLY_LANGUAGES else DEFAULT_LANGUAGE


def alert_of(session: Session, *, handoff_id: int) -> HandoffAlert | None:
    """The alert's content for a handoff, or None when it no longer exists."""
    row = session.get(Handoff, handoff_id)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    region = session.get(Region, row.region) if row.region else None
    name = Texts.of(region, "name") if region else None
    return HandoffAlert(
        handoff_id=row.id,
        region=row.region,
        region_name=name,
        language=_language(row.summary),
        channel=user.channel if user is not None else "",
        created_at=_aware(row.created_at),
    )


def region_delegates(session: Session, *, region: str | None) -> list[Recipient]:
    """The active delegates of ``region`` (none without a region)."""
    if not region:
        return []
    rows = session.scalars(
        select(StaffAccount)
        .where(
            StaffAccount.role == "delegate",
            StaffAccount.region == region,
            StaffAccount.active.is_(True),
        )
        .order_by(StaffAccount.id)
    )
    return [Recipient(row.email, row.language) for row in rows]


def head_office(session: Session, *, extra_email: str = "") -> list[Recipient]:
    """The active admins, and ``extra_email`` (HEAD_OFFICE_EMAIL, in French) when it is one
    e-mail address."""
    rows = session.scalars(
        select(StaffAccount)
        .where(StaffAccount.role == "admin", StaffAccount.active.is_(True))
        .order_by(StaffAccount.id)
    )
    found = [Recipient(row.email, row.language) for row in rows]
    extra = extra_email.strip().lower()
    if extra and normalize_email(extra) == extra and extra not in {r.email for r in found}:
        found.append(Recipient(extra, DEFAULT_LANGUAGE))
    return found


# --- the record of what was sent ---------------------------------------------------------------


def _row(session: Session, handoff_id: int, kind: str, target: str) -> HandoffNotification | None:
    return session.scalars(
        select(HandoffNotification).where(
            HandoffNotification.handoff_id == handoff_id,
            HandoffNotification.kind == kind,
            HandoffNotification.target == target,
        )
    ).first()


def claim(
    session: Session,
    *,
    handoff_id: int,
    kind: Kind,
    target: str,
    now: datetime,
    retry_failed: bool = False,
) -> bool:
    """Claim the alert for sending: True when nobody has (or a failed one is retried).

    Another process claiming it at the same time loses on the unique key (False).
    """
    row = _row(session, handoff_id, kind, target)
    if row is not None:
        if not (retry_failed and row.status == "failed" and row.attempts < MAX_ATTEMPTS):
            return False
        taken = session.execute(
            update(HandoffNotification)
            .where(HandoffNotification.id == row.id, HandoffNotification.status == "failed")
            .values(status="claimed", claimed_at=now)
        )
        return bool(taken.rowcount)
    try:
        with session.begin_nested():
            session.add(
                HandoffNotification(
                    handoff_id=handoff_id,
                    kind=kind,
                    target=target,
                    status="claimed",
                    claimed_at=now,
                )
            )
    except IntegrityError:  # another process claimed it first (or the handoff is gone)
        return False
    return True


def mark(
    session: Session, *, handoff_id: int, kind: Kind, target: str, now: datetime, error: str = ""
) -> None:
    """Record the attempt's outcome: sent, or failed with ``error`` (no personal data)."""
    row = _row(session, handoff_id, kind, target)
    if row is None:
        return
    row.attempts += 1
    if error:
        row.status, row.last_error = "failed", error[:MAX_ERROR_LENGTH]
    else:
        row.status, row.sent_at, row.last_error = "sent", now, None
    session.flush()


def failed_alerts(session: Session) -> list[tuple[int, Kind]]:
    """(handoff, kind) pairs with an alert that failed and may be tried again."""
    rows = session.execute(
        select(HandoffNotification.handoff_id, HandoffNotification.kind)
        .where(
            HandoffNotification.status == "failed",
            HandoffNotification.attempts < MAX_ATTEMPTS,
        )
        .distinct()
        .order_by(HandoffNotification.handoff_id)
    )
    return [(handoff_id, kind) for handoff_id, kind in rows]


def unannounced(session: Session, *, since: datetime) -> list[int]:
    """Open handoffs nobody took, arrived after ``since``, with no ``new`` alert recorded (the
    process that created them stopped before alerting, or no alert could be planned)."""
    announced = select(HandoffNotification.handoff_id).where(HandoffNotification.kind == NEW)
    return list(
        session.scalars(
            select(Handoff.id)
            .where(
                Handoff.status == "open",
                Handoff.taken_at.is_(None),
                Handoff.created_at > since,
                Handoff.id.not_in(announced),
            )
            .order_by(Handoff.id)
        )
    )


def alert_statuses(session: Session, *, handoff_id: int) -> dict[tuple[str, str], str]:
    """The handoff's alerts: (kind, target) -> status."""
    rows = session.scalars(
        select(HandoffNotification).where(HandoffNotification.handoff_id == handoff_id)
    )
    return {(row.kind, row.target): row.status for row in rows}


# --- escalation ---------------------------------------------------------------------------------


def escalate_waiting(session: Session, *, cutoff: datetime, now: datetime) -> list[int]:
    """Mark as escalated the open handoffs nobody took that arrived at or before ``cutoff``;
    the ids this call escalated (each one is escalated by one call only, ever)."""
    waiting = session.scalars(
        select(Handoff.id)
        .where(
            Handoff.status == "open",
            Handoff.taken_at.is_(None),
            Handoff.escalated_at.is_(None),
            Handoff.created_at <= cutoff,
        )
        .order_by(Handoff.created_at, Handoff.id)
    ).all()
    won = []
    for handoff_id in waiting:
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.escalated_at.is_(None))
            .values(escalated_at=now)
        )
        if result.rowcount:
            won.append(handoff_id)
    session.flush()
    return won
