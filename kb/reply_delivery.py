"""The delivery of staff replies in a live handoff: claimed, recorded, swept for retries.

A reply is sent by whoever claims it first: the console's request right after it was written,
or a retry sweep (every Rasa worker runs one). ``claim_reply`` takes the line for ``lease`` with
one conditional UPDATE, so two senders never hold it at once and the member never gets it
twice; ``mark_delivery`` records the outcome and lets go. A sender that died holding a line
only delays it: the claim ends with its lease and the sweep takes the line again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from kb.handoff_live import LiveHandoff, get_live
from kb.models import HandoffMessage, utcnow

#: A staff reply's delivery is tried at most this many times.
MAX_ATTEMPTS: Final = 8
#: How long a sender holds a reply it is delivering (a platform call times out well before).
DELIVERY_LEASE: Final = timedelta(minutes=2)
#: The states of a reply still to deliver.
TO_DELIVER: Final = ("pending", "failed")


def _free(now: datetime) -> ColumnElement[bool]:
    """Held by no sender: never claimed, or the claim's lease is over."""
    return or_(HandoffMessage.claimed_until.is_(None), HandoffMessage.claimed_until <= now)


def claim_reply(
    session: Session,
    *,
    line_id: int,
    now: datetime | None = None,
    lease: timedelta = DELIVERY_LEASE,
) -> tuple[LiveHandoff, str] | None:
    """Hold the staff reply ``line_id`` to deliver it: its handoff and text, or None when it is
    delivered already, given up, or held by another sender."""
    now = now or utcnow()
    claimed = session.execute(
        update(HandoffMessage)
        .where(
            HandoffMessage.id == line_id,
            HandoffMessage.direction == "staff",
            HandoffMessage.delivery_status.in_(TO_DELIVER),
            HandoffMessage.attempts < MAX_ATTEMPTS,
            _free(now),
        )
        .values(claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    line = session.get(HandoffMessage, line_id)
    assert line is not None  # claimed just now
    session.refresh(line)
    return get_live(session, handoff_id=line.handoff_id), line.text


def mark_delivery(session: Session, *, line_id: int, sent: bool, error: str = "") -> None:
    """Record one delivery attempt of a staff reply and let go of it."""
    line = session.get(HandoffMessage, line_id)
    if line is None:
        return
    line.attempts = int(line.attempts or 0) + 1
    line.delivery_status = "sent" if sent else "failed"
    line.last_error = None if sent else error[:200]
    line.claimed_until = None


def delivery_status(session: Session, *, line_id: int) -> str | None:
    """Where the delivery of a reply stands (``pending``, ``sent``, ``failed``), None if unknown."""
    line = session.get(HandoffMessage, line_id)
    return line.delivery_status if line is not None else None


def release_reply(session: Session, *, line_id: int) -> None:
    """Let go of a reply without an attempt (its channel cannot be written to)."""
    session.execute(
        update(HandoffMessage)
        .where(HandoffMessage.id == line_id)
        .values(claimed_until=None)
        .execution_options(synchronize_session=False)
    )


def undelivered(
    session: Session, *, older_than: datetime, now: datetime | None = None
) -> list[int]:
    """Staff replies still to deliver (pending or failed, under MAX_ATTEMPTS, held by nobody),
    written before ``older_than``: the retry sweep's work."""
    return list(
        session.scalars(
            select(HandoffMessage.id)
            .where(
                HandoffMessage.direction == "staff",
                HandoffMessage.delivery_status.in_(TO_DELIVER),
                HandoffMessage.attempts < MAX_ATTEMPTS,
                HandoffMessage.created_at < older_than,
                _free(now or utcnow()),
            )
            .order_by(HandoffMessage.id)
        )
    )
