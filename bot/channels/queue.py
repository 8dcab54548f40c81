"""Per-sender order: each sender's jobs run one after the other, senders in parallel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from core.redact import user_ref

logger = logging.getLogger(__name__)


class SenderQueue:
    """Runs jobs in the background, each sender's one after the other in arrival order.

    Webhooks answer the platform at once (Meta and Twilio retry a slow webhook) and the message
    is handled here. Tests, and the server on shutdown, ``drain()`` it to wait for the replies.
    """

    def __init__(self, name: str = "channel") -> None:
        self.name = name
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def schedule(self, sender: str, job: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run ``job`` after the sender's previous jobs."""
        task = asyncio.create_task(self._run(sender, self._tails.get(sender), job))
        self._tails[sender] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(partial(self._forget, sender))
        return task

    async def _run(
        self, sender: str, previous: asyncio.Task[None] | None, job: Callable[[], Awaitable[None]]
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await job()
        except Exception:  # one failed message must not stop the sender's next ones
            logger.exception("%s: handling a message of %s failed", self.name, user_ref(sender))

    def _forget(self, sender: str, task: asyncio.Task[None]) -> None:
        if self._tails.get(sender) is task:
            del self._tails[sender]

    def busy(self, sender: str) -> bool:
        """True while ``sender`` has a job scheduled or running."""
        return sender in self._tails

    @property
    def pending(self) -> int:
        """Senders with jobs not finished yet."""
        return len(self._tails)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait for every job scheduled so far (and those they chain to); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tails:
            left = None if deadline is None else max(0.0, deadline - loop.time())
            _, pending = await asyncio.wait(list(self._tails.values()), timeout=left)
            if pending:
                return False
        return True

    async def finish(self, grace: float) -> None:
        """Wait up to ``grace`` seconds for the jobs scheduled so far, then cancel the others."""
        if await self.drain(grace):
            return
        unfinished = list(self._tasks)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
