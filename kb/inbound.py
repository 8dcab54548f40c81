"""Inbound messages from their arrival until they are answered, and when each user last wrote.

A channel stores each message (``store_messages``) before it acknowledges it to the platform;
a process then takes the oldest waiting message of a user (``claim_next``): it holds it for a
lease, renewed while it works (``renew_lease``), and marks it done once the replies were handed
to the platform (``finish``), or gives it back to be tried again later (``release``). A claim is
one UPDATE whose condition says the message is free, so two processes (Sanic workers, replicas)
never hold the same message, and a user's messages are taken in the order they arrived. The
caller owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kb.models import InboundMessage, OutboxReply, User

PENDING: Final = "pending"
DONE: Final = "done"
FAILED: Final = "failed"


@dataclass(frozen=True)
class Received:
    """A message as a channel received it: its platform id, its sender, what answers need."""

    external_id: str
    channel_user_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Claimed:
    """A waiting message this process now holds."""

    id: int
    channel: str
    external_id: str
    channel_user_id: str
    payload: dict[str, Any]
    #: Times it was taken, this one included: above 1, an earlier attempt may have answered.
    attempts: int


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def store_messages(
    session: Session, *, channel: str, messages: Sequence[Received], received_at: datetime
) -> list[bool]:
    """Store each message as pending, unless its id is already stored (a redelivery, left as
    it is); for each, True when it is new. A new message of a known user becomes the user's
    ``last_inbound_at``."""
    insert = _insert(session)
    new = []
    for message in messages:
        result = session.execute(
            insert(InboundMessage)
            .values(
                channel=channel,
                external_id=message.external_id,
                channel_user_id=message.channel_user_id,
                received_at=received_at,
                status=PENDING,
                payload=json.dumps(message.payload),
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        )
        new.append(bool(result.rowcount))
    senders = {m.channel_user_id for m, fresh in zip(messages, new, strict=True) if fresh}
    if senders:
        session.execute(
            update(User)
            .where(User.channel == channel, User.channel_user_id.in_(senders))
            .values(last_inbound_at=received_at)
        )
    return new


def _free(now: datetime, owner: str) -> Any:
    """A message nobody holds: never leased, its lease over, or already ours."""
    return or_(
        InboundMessage.lease_until.is_(None),
        InboundMessage.lease_until <= now,
        InboundMessage.lease_owner == owner,
    )


def claim_next(
    session: Session,
    *,
    channel: str,
    channel_user_id: str,
    owner: str,
    now: datetime,
    lease: timedelta,
    max_attempts: int,
) -> Claimed | None:
    """Take the user's oldest waiting message for ``lease``, or None when there is none or it
    is held by someone else (who then answers the user's next ones too) or not due yet.

    A message taken ``max_attempts`` times already is marked failed and the next one taken.
    """
    while True:
        row = session.execute(
            select(InboundMessage.id, InboundMessage.attempts)
            .where(
                InboundMessage.channel == channel,
                InboundMessage.channel_user_id == channel_user_id,
                InboundMessage.status == PENDING,
            )
            .order_by(InboundMessage.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        mine = (InboundMessage.id == row.id, InboundMessage.status == PENDING, _free(now, owner))
        if row.attempts >= max_attempts:
            failed = session.execute(
                update(InboundMessage)
                .where(*mine)
                .values(status=FAILED, payload=None, lease_owner=None, lease_until=None)
            )
            if not failed.rowcount:
                return None
            continue
        taken = session.execute(
            update(InboundMessage)
            .where(*mine)
            .values(
                lease_owner=owner,
                lease_until=now + lease,
                attempts=InboundMessage.attempts + 1,
            )
        )
        if not taken.rowcount:
            return None
        message = session.get(InboundMessage, row.id, populate_existing=True)
        assert message is not None
        return Claimed(
            id=message.id,
            channel=message.channel,
            external_id=message.external_id,
            channel_user_id=channel_user_id,
            payload=json.loads(message.payload or "{}"),
            attempts=int(message.attempts),
        )


def renew_lease(session: Session, *, message_id: int, owner: str, until: datetime) -> bool:
    """Extend this owner's lease on a message it still holds; False when it no longer does."""
    result = session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.id == message_id,
            InboundMessage.lease_owner == owner,
            InboundMessage.status == PENDING,
        )
        .values(lease_until=until)
    )
    return bool(result.rowcount)


def finish(session: Session, *, message_id: int, now: datetime) -> None:
    """Mark a message done: its payload, lease and the content of its replies are dropped
    (how many parts of each were delivered stays)."""
    session.execute(
        update(OutboxReply).where(OutboxReply.inbound_id == message_id).values(content=None)
    )
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == message_id)
        .values(status=DONE, done_at=now, payload=None, lease_owner=None, lease_until=None)
    )


def release(session: Session, *, message_id: int, owner: str, not_before: datetime) -> None:
    """Give a held message back, to be taken again from ``not_before`` on."""
    session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.id == message_id,
            InboundMessage.lease_owner == owner,
            InboundMessage.status == PENDING,
        )
        .values(lease_owner=None, lease_until=not_before)
    )


def release_all(session: Session, *, channel: str, owner: str) -> int:
    """Give back every message of ``channel`` this owner holds (a process stopping)."""
    result = session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.channel == channel,
            InboundMessage.lease_owner == owner,
            InboundMessage.status == PENDING,
        )
        .values(lease_owner=None, lease_until=None)
    )
    return int(result.rowcount or 0)


def waiting_senders(
    session: Session, *, channel: str, now: datetime, received_before: datetime
) -> list[str]:
    """Users of ``channel`` with a waiting message nobody holds: a lease that ran out (its
    process died), or never taken although received before ``received_before``."""
    never_taken = InboundMessage.lease_until.is_(None) & (
        InboundMessage.received_at <= received_before
    )
    rows = session.scalars(
        select(InboundMessage.channel_user_id)
        .where(
            InboundMessage.channel == channel,
            InboundMessage.status == PENDING,
            InboundMessage.channel_user_id.is_not(None),
            or_(never_taken, InboundMessage.lease_until <= now),
        )
        .group_by(InboundMessage.channel_user_id)
        .order_by(func.min(InboundMessage.id))  # the longest waiting first
    )
    return [str(sender) for sender in rows]


def forget_messages(session: Session, *, received_before: datetime) -> int:
    """Delete the messages received before ``received_before``; returns how many."""
    result = session.execute(
        delete(InboundMessage).where(InboundMessage.received_at < received_before)
    )
    return int(result.rowcount or 0)
