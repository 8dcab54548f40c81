"""What was delivered of a message made of several parts: a turn's replies, an alert.

A channel stores the replies to an inbound message before sending them (``store_replies``), in
order, and counts the platform messages delivered for each (``mark_parts_sent``: a long text goes
in several); answering the message again after a crash sends only what is left. Once the message
is done (kb.inbound.finish) only the counts stay. An alert or a
reminder counts its delivered parts on its notifications_sent row. The caller owns the
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.models import NotificationSent, OutboxReply


@dataclass(frozen=True)
class StoredReply:
    """One reply to an inbound message, and how many of its parts were delivered."""

    id: int
    position: int
    content: dict[str, Any]
    parts_sent: int


def _stored(row: OutboxReply) -> StoredReply:
    return StoredReply(row.id, row.position, json.loads(row.content or "{}"), int(row.parts_sent))


def stored_replies(session: Session, *, inbound_id: int) -> list[StoredReply]:
    """The replies stored for an inbound message not done yet, in order (none when it was
    not answered)."""
    rows = session.scalars(
        select(OutboxReply)
        .where(OutboxReply.inbound_id == inbound_id, OutboxReply.content.is_not(None))
        .order_by(OutboxReply.position)
    )
    return [_stored(row) for row in rows]


def store_replies(
    session: Session, *, inbound_id: int, replies: Sequence[dict[str, Any]]
) -> list[StoredReply]:
    """Store the replies to an inbound message, in order, nothing delivered yet."""
    rows = [
        OutboxReply(inbound_id=inbound_id, position=position, content=json.dumps(reply))
        for position, reply in enumerate(replies)
    ]
    session.add_all(rows)
    session.flush()
    return [_stored(row) for row in rows]


def mark_parts_sent(session: Session, *, reply_id: int, parts_sent: int) -> None:
    """Record that the first ``parts_sent`` parts of a stored reply were delivered."""
    session.execute(
        update(OutboxReply).where(OutboxReply.id == reply_id).values(parts_sent=parts_sent)
    )


def _notification(kind: str, user_id: int, event_id: int) -> tuple[Any, ...]:
    return (
        NotificationSent.kind == kind,
        NotificationSent.user_id == user_id,
        NotificationSent.event_id == event_id,
    )


def notification_parts_sent(session: Session, *, kind: str, user_id: int, event_id: int) -> int:
    """How many parts of a notification were delivered (0 when it has no row)."""
    sent = session.scalars(
        select(NotificationSent.parts_sent).where(*_notification(kind, user_id, event_id))
    ).first()
    return int(sent or 0)


def mark_notification_parts(
    session: Session, *, kind: str, user_id: int, event_id: int, parts_sent: int
) -> None:
    """Record that the first ``parts_sent`` parts of a notification were delivered."""
    session.execute(
        update(NotificationSent)
        .where(*_notification(kind, user_id, event_id))
        .values(parts_sent=parts_sent)
    )
