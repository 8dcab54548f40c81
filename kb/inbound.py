"""Platform message ids already handled, and when each user last wrote.

Platforms redeliver a message whose webhook timed out; the channels store each message id once
(``inbound_messages``) so a redelivery gets no second reply. The caller owns the transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kb.models import InboundMessage, User


def record_message(
    session: Session,
    *,
    channel: str,
    external_id: str,
    channel_user_id: str | None,
    received_at: datetime,
) -> bool:
    """Store the message id ``external_id`` of ``channel``: True when it is new, False for a
    redelivery. A new message of a known user becomes the user's ``last_inbound_at``."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    inserted = session.execute(
        insert(InboundMessage)
        .values(channel=channel, external_id=external_id, received_at=received_at)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
    )
    if not inserted.rowcount:
        return False
    if channel_user_id:
        session.execute(
            update(User)
            .where(User.channel == channel, User.channel_user_id == channel_user_id)
            .values(last_inbound_at=received_at)
        )
    return True


def forget_messages(session: Session, *, received_before: datetime) -> int:
    """Delete the message ids received before ``received_before``; returns how many."""
    result = session.execute(
        delete(InboundMessage).where(InboundMessage.received_at < received_before)
    )
    return int(result.rowcount or 0)
