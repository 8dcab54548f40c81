"""Durable inbound: every message is in the database before the platform is told it arrived.

Platforms resend what was not acknowledged: Telegram an update whose offset was not confirmed
or whose webhook did not answer 200, Meta and Twilio a webhook call that failed or timed out.
A channel therefore stores each message (``InboundLog.store``, in the knowledge base through
kb.inbound) before it acknowledges it; a database failure raises DatabaseUnavailable and the
platform is not acknowledged (it sends the message again later). A redelivered id is stored
once, so it is answered once, across restarts and replicas.

A stored message is then answered by whichever process claims it (``claim_next``): a lease
of LEASE, renewed every LEASE / 3 while the answer is being prepared (``holding``), so another
worker takes it only if this one died. Once the replies were handed to the platform it is
``finish``-ed; a message whose replies could not be delivered for now is released and tried
again after a delay (``retry_later``); one taken MAX_ATTEMPTS times is given up (logged).
Messages left waiting (a process that died, a database that was down) are found by
``waiting_senders``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Final

from core.redact import user_ref
from kb import inbound as inbound_db
from kb import outbox
from kb.access import DatabaseUnavailable, run_db
from kb.inbound import Claimed, Received
from kb.models import utcnow
from kb.outbox import StoredReply

__all__ = [
    "Claimed",
    "DatabaseUnavailable",
    "InboundLog",
    "Received",
    "StoredReply",
    "prune_inbound",
]

logger = logging.getLogger(__name__)

#: How long a claimed message is held without news from its process.
LEASE: Final = timedelta(seconds=30)
#: A message taken this many times (its answer kept failing) is given up.
MAX_ATTEMPTS: Final = 6
#: Delay before a message whose replies could not be delivered is tried again, doubled at
#: each attempt up to RETRY_MAX.
RETRY_FIRST, RETRY_MAX = timedelta(seconds=5), timedelta(minutes=5)
#: Ids older than this are forgotten; platforms stop redelivering long before.
KEEP_IDS_FOR: Final = timedelta(days=7)
#: The longest message id stored (inbound_messages.external_id).
MAX_ID_LENGTH: Final = 200


@lru_cache(maxsize=1)
def process_owner() -> str:
    """This process's name on the leases it takes: host, pid and a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def retry_delay(attempts: int) -> timedelta:
    """How long a message taken ``attempts`` times waits before it is taken again."""
    return min(RETRY_FIRST * 2 ** max(0, attempts - 1), RETRY_MAX)


class InboundLog:
    """One channel's stored messages, as this process stores, claims and answers them."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    @property
    def owner(self) -> str:
        """This process's lease owner name."""
        return process_owner()

    async def store(self, messages: Sequence[Received]) -> list[bool]:
        """Store messages before they are acknowledged: for each, True when it is new.

        Raises DatabaseUnavailable: the platform must not be told the messages arrived.
        """
        kept = [
            Received(m.external_id.replace("\0", "")[:MAX_ID_LENGTH], m.channel_user_id, m.payload)
            for m in messages
        ]
        return await run_db(
            inbound_db.store_messages, channel=self.channel, messages=kept, received_at=utcnow()
        )

    async def claim_next(self, channel_user_id: str) -> Claimed | None:
        """The user's oldest waiting message, now held by this process; None when there is
        none to take here. Raises DatabaseUnavailable."""
        claimed = await run_db(
            inbound_db.claim_next,
            channel=self.channel,
            channel_user_id=channel_user_id,
            owner=self.owner,
            now=utcnow(),
            lease=LEASE,
            max_attempts=MAX_ATTEMPTS,
        )
        if claimed is not None and claimed.attempts > 1:
            logger.info(
                "%s message of %s taken again (attempt %d)",
                self.channel,
                user_ref(channel_user_id),
                claimed.attempts,
            )
        return claimed

    @asynccontextmanager
    async def holding(self, claimed: Claimed) -> AsyncIterator[None]:
        """Renew the lease on ``claimed`` while the block runs."""
        keeper = asyncio.create_task(self._keep(claimed))
        try:
            yield
        finally:
            keeper.cancel()
            with suppress(asyncio.CancelledError):
                await keeper

    async def _keep(self, claimed: Claimed) -> None:
        every = LEASE.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                await run_db(
                    inbound_db.renew_lease,
                    message_id=claimed.id,
                    owner=self.owner,
                    until=utcnow() + LEASE,
                )
            except DatabaseUnavailable:
                logger.warning("lease of %s message %d not renewed", self.channel, claimed.id)

    async def finish(self, claimed: Claimed) -> None:
        """Mark the message answered. A database failure is logged: the message is then taken
        again once the lease ends, and only its undelivered replies are sent."""
        try:
            await run_db(inbound_db.finish, message_id=claimed.id, now=utcnow())
        except DatabaseUnavailable:
            logger.warning("%s message %d answered but not marked done", self.channel, claimed.id)

    async def retry_later(self, claimed: Claimed) -> None:
        """Give the message back, to be taken again after retry_delay()."""
        delay = retry_delay(claimed.attempts)
        logger.warning(
            "%s message %d of %s not fully answered; trying again in %.0f s",
            self.channel,
            claimed.id,
            user_ref(claimed.channel_user_id),
            delay.total_seconds(),
        )
        with suppress(DatabaseUnavailable):
            await run_db(
                inbound_db.release,
                message_id=claimed.id,
                owner=self.owner,
                not_before=utcnow() + delay,
            )

    async def release_all(self) -> None:
        """Give back what this process holds (it is stopping): others take it at once."""
        with suppress(DatabaseUnavailable):
            await run_db(inbound_db.release_all, channel=self.channel, owner=self.owner)

    async def waiting_senders(self, received_before: datetime | None = None) -> list[str]:
        """Users with a waiting message nobody holds (received before ``received_before``
        when never taken: a newer one is about to be taken by the process that stored it).
        Raises DatabaseUnavailable."""
        now = utcnow()
        return await run_db(
            inbound_db.waiting_senders,
            channel=self.channel,
            now=now,
            received_before=received_before or now,
        )

    # --- the replies of one message ---

    async def stored_replies(self, claimed: Claimed) -> list[StoredReply]:
        """The replies an earlier attempt stored for the message (none: not answered yet)."""
        if claimed.attempts <= 1:
            return []
        return await run_db(outbox.stored_replies, inbound_id=claimed.id)

    async def store_replies(
        self, claimed: Claimed, replies: Sequence[dict[str, Any]]
    ) -> list[StoredReply] | None:
        """Store the replies before they are sent; None when the database is unavailable
        (they are sent anyway, unrecorded)."""
        try:
            return await run_db(outbox.store_replies, inbound_id=claimed.id, replies=replies)
        except DatabaseUnavailable:
            return None

    async def mark_parts_sent(self, reply_id: int, parts_sent: int) -> None:
        """Count a reply's delivered parts; a database failure is logged (a replay after a
        crash would then send those parts again)."""
        try:
            await run_db(outbox.mark_parts_sent, reply_id=reply_id, parts_sent=parts_sent)
        except DatabaseUnavailable:
            logger.warning("%s reply %d: delivered parts not recorded", self.channel, reply_id)


async def prune_inbound(now: datetime | None = None) -> int:
    """Forget messages received more than KEEP_IDS_FOR ago; returns how many were removed."""
    before = (now or utcnow()) - KEEP_IDS_FOR
    return await run_db(inbound_db.forget_messages, received_before=before)
