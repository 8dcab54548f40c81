"""What every input channel does with an inbound message before Rasa sees it.

Platforms redeliver: Telegram re-sends an update its webhook did not acknowledge in time, Meta
and Twilio retry a webhook that timed out. ``record_inbound`` remembers each platform message id
once, in the knowledge-base database, so a redelivery gets no second reply, across restarts and
across several Rasa replicas. It also notes when the user last wrote (WhatsApp only allows
free-form messages within 24 hours of that; later ones need a template).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kb.access import DatabaseUnavailable, run_db
from kb.models import InboundMessage, User, utcnow

logger = logging.getLogger(__name__)

#: Ids older than this are forgotten; platforms stop redelivering long before.
KEEP_IDS_FOR = timedelta(days=7)


def _record(
    session: Session, channel: str, external_id: str, channel_user_id: str | None, now: datetime
) -> bool:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.execute(
        dialect.insert(InboundMessage)
        .values(channel=channel, external_id=external_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
    )
    if not inserted.rowcount:
        return False
    if channel_user_id:
        user = session.scalars(
            select(User).where(User.channel == channel, User.channel_user_id == channel_user_id)
        ).one_or_none()
        if user is not None:
            user.last_inbound_at = now
    return True


async def record_inbound(
    channel: str, external_id: str, channel_user_id: str | None = None
) -> bool:
    """True the first time ``external_id`` arrives on ``channel``, False for a redelivery.

    When the database cannot be reached the message is handled anyway (True): answering a
    rare redelivery twice is better than answering nobody.
    """
    try:
        return await run_db(_record, channel, external_id[:200], channel_user_id, utcnow())
    except DatabaseUnavailable:
        logger.warning("inbound de-duplication unavailable; handling %s %s", channel, external_id)
        return True


def _prune(session: Session, before: datetime) -> int:
    result = session.execute(delete(InboundMessage).where(InboundMessage.received_at < before))
    return int(result.rowcount or 0)


async def prune_inbound(now: datetime | None = None) -> int:
    """Forget message ids older than KEEP_IDS_FOR; returns how many were removed."""
    return await run_db(_prune, (now or utcnow()) - KEEP_IDS_FOR)
