"""How far a message made of several platform messages got, so sending it again skips what
was delivered.

A long text goes out in several parts, a reply with a calendar file in two calls, an alert may
be retried after its second part failed. The sender numbers the platform calls of one message
in order (``Progress.part``): the first ``sent`` were delivered by an earlier attempt (in this
process, or recorded in the database by ``on_sent``) and are skipped; a call that returns is
delivered (or refused for good: not worth sending again), a call that raises is not.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Called with the number of parts delivered so far, after each delivery; must not raise.
OnSent = Callable[[int], Awaitable[None]]


class Progress:
    """The parts of one message delivered so far."""

    def __init__(self, sent: int = 0, on_sent: OnSent | None = None) -> None:
        self.sent = sent
        self._on_sent = on_sent
        self._next = 0

    def restart(self) -> None:
        """A new attempt at the whole message: number its parts from the first again."""
        self._next = 0

    async def part(self, call: Callable[[], Awaitable[T]]) -> T | None:
        """Run the next platform call, unless an earlier attempt delivered it (None then)."""
        index = self._next
        self._next += 1
        if index < self.sent:
            return None
        result = await call()
        self.sent = index + 1
        if self._on_sent is not None:
            await self._on_sent(self.sent)
        return result


async def run_part(progress: Progress | None, call: Callable[[], Awaitable[T]]) -> T | None:
    """``call()`` as the next part of ``progress``, or simply ``call()`` without one."""
    if progress is None:
        return await call()
    return await progress.part(call)
