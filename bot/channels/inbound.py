"""Redelivery: a platform message handled once, whatever the platform resends.

Platforms redeliver: Telegram re-sends an update its webhook did not acknowledge in time, Meta
and Twilio retry a webhook that timed out. ``record_inbound`` remembers each platform message id
once, in the knowledge-base database (kb.inbound), so a redelivery gets no second reply, across
restarts and across several Rasa replicas. It also notes when the user last wrote (WhatsApp only
allows free-form messages within 24 hours of that; later ones need a template).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from kb import inbound as inbound_db
from kb.access import DatabaseUnavailable, run_db
from kb.models import utcnow

logger = logging.getLogger(__name__)

#: Ids older than this are forgotten; platforms stop redelivering long before.
KEEP_IDS_FOR = timedelta(days=7)
#: The longest message id stored (inbound_messages.external_id).
MAX_ID_LENGTH = 200


async def record_inbound(
    channel: str, external_id: str, channel_user_id: str | None = None
) -> bool:
    """True the first time ``external_id`` arrives on ``channel``, False for a redelivery.

    When the database cannot be reached the message is handled anyway (True): answering a
    rare redelivery twice is better than answering nobody.
    """
    try:
        return await run_db(
            inbound_db.record_message,
            channel=channel,
            external_id=external_id[:MAX_ID_LENGTH],
            channel_user_id=channel_user_id,
            received_at=utcnow(),
        )
    except DatabaseUnavailable:
        logger.warning("inbound de-duplication unavailable; handling %s %s", channel, external_id)
        return True


async def prune_inbound(now: datetime | None = None) -> int:
    """Forget message ids older than KEEP_IDS_FOR; returns how many were removed."""
    before = (now or utcnow()) - KEEP_IDS_FOR
    return await run_db(inbound_db.forget_messages, received_before=before)
