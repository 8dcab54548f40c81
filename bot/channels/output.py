"""Replies to a platform: held until the turn is stored, then sent once, part by part.

Rasa sends each action's replies as they come and stores the conversation at the end of the
turn. A channel's ``PlatformOutput`` instead holds them (``hold``/``release``) until Rasa
returned, so a turn whose conversation could not be stored says nothing of it (the member
gets the "technical problem" text and the turn did not happen). The replies are then stored
with the inbound message (bot/channels/inbound.py) and sent by ``deliver``: every platform call
is a numbered part of its reply (outbound/progress.py), counted once the platform accepted it,
so answering the message again after a crash skips what was delivered.

A part the platform refused for good (blocked bot, bad request) is logged and counts as
handled; one that kept failing (network, 5xx, rate limit) raises DeliveryPending, and the
message is answered again later from that part.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, ClassVar, Final

from rasa.core.channels.channel import OutputChannel

from core.identity import platform_id
from core.redact import user_ref
from kb.outbox import StoredReply
from outbound.message import DeliveryError, RateLimited, TransientError
from outbound.progress import OnSent, Progress

#: Tries of one reply part on a rate limit or server error.
REPLY_ATTEMPTS: Final = 3


class DeliveryPending(RuntimeError):
    """A reply part could not be delivered for now: the message is answered again later."""


class PlatformOutput(OutputChannel):
    """An output channel for one platform: Rasa addresses each reply to the conversation id
    (``<channel>:<user id>``, core.identity), the platform wants its own user id.

    While held, replies are kept instead of sent; while ``progress`` is set (``deliver``), each
    platform call is a part of the reply being sent.
    """

    _held: list[dict[str, Any]] | None = None
    #: The parts of the reply being sent (set by ``deliver``), else None.
    progress: Progress | None = None

    def hold(self) -> None:
        """Keep the replies from now on instead of sending them."""
        self._held = []

    def release(self) -> list[dict[str, Any]]:
        """The replies kept since ``hold()``, in order; they are sent again from now on."""
        held, self._held = self._held or [], None
        return held

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send one of Rasa's replies to the platform's user behind ``recipient_id`` (kept
        while held)."""
        if self._held is not None:
            self._held.append(dict(message))
            return
        await super().send_response(platform_id(recipient_id, self.name()), message)

    def pending(self, what: str, error: object) -> DeliveryPending:
        """The exception for a part that kept failing (raised only while delivering)."""
        return DeliveryPending(f"{self.name()} {what}: {error}")


class RetryingOutput(PlatformOutput):
    """Sends Rasa's replies through a platform's REST client.

    A rate limit or server error is retried twice; a refused message is logged, and the
    following parts are still sent. A part that kept failing raises DeliveryPending while
    ``deliver`` sends (outside it, as for Rasa's own calls, it is logged).
    """

    #: The platform's name in the logs.
    platform: ClassVar[str]
    #: Seconds before the first retry (doubled each time), unless the API says Retry-After.
    retry_delay = 1.0
    max_retry_wait = 10.0

    async def _send(self, to: str, what: str, send: Callable[[], Awaitable[Any]]) -> bool:
        """``send()`` with retries; False when the platform refused it (logged)."""
        log = logging.getLogger(type(self).__module__)
        for attempt in range(REPLY_ATTEMPTS):
            try:
                await send()
                return True
            except (RateLimited, TransientError) as exc:
                wait = getattr(exc, "retry_after", None)
                wait = self.retry_delay * 2**attempt if wait is None else wait
                log.warning("%s send to %s failed (%s)", self.platform, user_ref(to), exc)
                if attempt < REPLY_ATTEMPTS - 1:
                    await asyncio.sleep(min(wait, self.max_retry_wait))
            except DeliveryError as exc:
                log.error("%s refused a %s to %s: %s", self.platform, what, user_ref(to), exc)
                return False
        if self.progress is not None:
            raise self.pending(what, "failed after retries")
        log.error("%s send to %s failed after retries", self.platform, user_ref(to))
        return False


def progress_of(
    reply: StoredReply | None, on_sent: Callable[[int, int], Awaitable[None]]
) -> Progress:
    """The parts of a stored reply delivered so far, each new one counted in the database."""
    if reply is None:
        return Progress()
    counted: OnSent = partial(on_sent, reply.id)
    return Progress(reply.parts_sent, counted)


async def deliver(
    output: PlatformOutput,
    recipient_id: str,
    replies: Sequence[tuple[dict[str, Any], Progress]],
) -> None:
    """Send each reply with its progress (the parts already delivered are skipped).

    Raises DeliveryPending when a part could not be delivered for now (the rest waits).
    """
    for content, progress in replies:
        output.progress = progress
        try:
            await output.send_response(recipient_id, content)
        finally:
            output.progress = None
