"""Receiving and answering a platform's messages: stored, claimed, answered once, in order.

- ``receive_messages`` stores messages before the platform is acknowledged
  (bot/channels/inbound.py); a sender over the rate limit (bot/channels/limits.py) has their
  message stored and acknowledged like any other but marked ``limited``: the first of a
  burst is answered "wait a few seconds" in their language, the rest get no reply, and none
  reaches Rasa;
- ``serve`` answers one sender's waiting messages, oldest first: whichever process claims a
  message (a lease in the database) answers it, a ``SenderQueue`` keeps each sender's jobs in
  order within the process; every SWEEP_EVERY seconds, and at start, the messages nobody
  answers (a process died, the database was down) are taken up (``_sweep``);
- ``reply`` stores a message's replies before they are sent and counts each delivered part
  (bot/channels/output.py); ``converse`` runs a turn once (bot/channels/turns.py), so a
  message answered again after a crash repeats nothing.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, ClassVar, Final

from rasa.core.channels.channel import UserMessage

from bot.channels.inbound import Claimed, DatabaseUnavailable, InboundLog, Received
from bot.channels.limits import SenderRateLimiter
from bot.channels.output import DeliveryPending, PlatformOutput, deliver, progress_of
from bot.channels.queue import SenderQueue
from bot.channels.texts import localized_text, user_language
from bot.channels.turns import Reply, converse, saved_turn_replies
from core.identity import conversation_id
from core.redact import user_ref
from core.text import clean_text
from kb.models import utcnow
from outbound.progress import Progress

logger = logging.getLogger(__name__)

#: Seconds between two looks for stored messages nobody answers.
SWEEP_EVERY: Final = 10.0
#: A message stored this recently is left to the process that stored it.
NEW_MESSAGE_GRACE: Final = timedelta(seconds=5)


def agent_of(app: Any) -> Any:
    """Rasa's agent (its tracker store holds the conversations) of a Sanic app, or None."""
    return getattr(getattr(app, "ctx", None), "agent", None)


class AnsweringChannel(ABC):
    """The receiving and answering half of a channel (bot/channels/base.py holds the rest)."""

    title: ClassVar[str]
    queue: SenderQueue
    inbound: InboundLog
    limiter: SenderRateLimiter
    #: The Sanic app, whose ``ctx.agent`` (set by Rasa) reads conversations; from startup.
    app: Any
    _claimed: bool

    @classmethod
    @abstractmethod
    def name(cls) -> str:
        """The channel's name (Rasa's input channel name)."""

    @abstractmethod
    def output(self) -> PlatformOutput:
        """The output channel that sends replies (only while the channel is on)."""

    @abstractmethod
    async def to_rasa(self, message: UserMessage) -> None:
        """Hand ``message`` to Rasa."""

    async def receive_messages(
        self, messages: Sequence[Received], agent: Any
    ) -> list[asyncio.Task[None]]:
        """Store ``messages``, then answer each sender's in the background (the tasks).

        Raises DatabaseUnavailable when they could not be stored: do not acknowledge them.
        """
        messages = [self._rated(m) for m in messages]
        await self.inbound.store(messages)
        senders = dict.fromkeys(m.channel_user_id for m in messages)
        return [self.serve(sender, agent) for sender in senders]

    def _rated(self, message: Received) -> Received:
        """``message``, marked ``limited`` when its sender is over the rate limit."""
        if self.limiter.allow(message.channel_user_id):
            return message
        sender = message.channel_user_id
        logger.info("%s: a message of %s over the rate limit", self.title, user_ref(sender))
        notice = self.limiter.notice_due(message.channel_user_id)
        payload = {**message.payload, "limited": "notice" if notice else "silent"}
        return Received(message.external_id, message.channel_user_id, payload)

    def serve(self, channel_user_id: str, agent: Any = None) -> asyncio.Task[None]:
        """Answer the user's waiting messages, oldest first, after the earlier jobs for them."""
        agent = agent if agent is not None else agent_of(self.app)
        return self.queue.schedule(channel_user_id, lambda: self._serve(channel_user_id, agent))

    async def _serve(self, channel_user_id: str, agent: Any) -> None:
        while True:
            try:
                claimed = await self.inbound.claim_next(channel_user_id)
            except DatabaseUnavailable:
                return  # taken up by the next sweep
            if claimed is None:
                return
            self._claimed = True
            if not await self._answer_claimed(claimed, agent):
                return  # the user's next messages wait for this one

    async def _answer_claimed(self, claimed: Claimed, agent: Any) -> bool:
        """Answer a claimed message; True once it is done."""
        async with self.inbound.holding(claimed):
            try:
                if claimed.payload.get("limited"):
                    await self.answer_limited(claimed, agent)
                else:
                    await self.answer(claimed, agent)
            except (DeliveryPending, DatabaseUnavailable):
                await self.inbound.retry_later(claimed)
                return False
            except Exception:  # noqa: BLE001 - a bug fails this message, not the next ones
                logger.exception(
                    "%s: answering a message of %s failed",
                    self.title,
                    user_ref(claimed.channel_user_id),
                )
                await self.inbound.retry_later(claimed)
                return False
        await self.inbound.finish(claimed)
        return True

    async def _sweep(self) -> None:
        """Every SWEEP_EVERY seconds (first at start, for every waiting message), serve the
        users whose waiting messages nobody holds."""
        received_before = None
        while True:
            try:
                for sender in await self.inbound.waiting_senders(received_before):
                    if not self.queue.busy(sender):
                        self.serve(sender)
            except DatabaseUnavailable:
                pass
            except Exception:  # noqa: BLE001 - the next sweep may do better
                logger.exception("%s: looking for waiting messages failed", self.title)
            await asyncio.sleep(SWEEP_EVERY)
            received_before = utcnow() - NEW_MESSAGE_GRACE

    @abstractmethod
    async def answer(self, claimed: Claimed, agent: Any) -> None:
        """Answer one stored message, usually through ``reply``; raises DeliveryPending when
        its replies could not all be delivered for now."""

    async def answer_limited(self, claimed: Claimed, agent: Any) -> None:
        """A message over the rate limit: "wait a few seconds" for the first of a burst."""
        if claimed.payload.get("limited") != "notice":
            return
        language = await user_language(agent, self.name(), claimed.channel_user_id)

        async def compose(_: PlatformOutput) -> list[Reply]:
            return [{"text": localized_text("rate_limited", language)}]

        await self.reply(claimed, compose)

    async def reply(
        self, claimed: Claimed, compose: Callable[[PlatformOutput], Awaitable[list[Reply]]]
    ) -> None:
        """Send the answer to ``claimed`` once: the replies an earlier attempt stored (only
        their undelivered parts), else those ``compose`` makes, stored first."""
        output = self.output()
        counted = self.inbound.mark_parts_sent
        stored = await self.inbound.stored_replies(claimed)
        if stored:
            replies = [(r.content, progress_of(r, counted)) for r in stored]
        else:
            contents = await compose(output)
            kept = await self.inbound.store_replies(claimed, contents) if contents else []
            if kept is None:  # the database failed: sent anyway, unrecorded
                replies = [(content, Progress()) for content in contents]
            else:
                replies = [(r.content, progress_of(r, counted)) for r in kept]
        await deliver(output, conversation_id(self.name(), claimed.channel_user_id), replies)

    async def converse(
        self,
        claimed: Claimed,
        output: PlatformOutput,
        text: str,
        agent: Any,
        error_text: Callable[[], Awaitable[str]],
        metadata: dict[str, Any] | None = None,
    ) -> list[Reply]:
        """Rasa's replies to ``text`` (the turn of ``claimed``), held until Rasa stored it; a
        turn already stored by an earlier attempt is not run again."""
        sender = conversation_id(self.name(), claimed.channel_user_id)
        if claimed.attempts > 1:
            saved = await saved_turn_replies(agent, sender, claimed.external_id)
            if saved is not None:
                return saved
        message = UserMessage(
            clean_text(text),
            output,
            sender,
            input_channel=self.name(),
            message_id=claimed.external_id,
            metadata=metadata,
        )
        return await converse(self.to_rasa, output, message, error_text)
