"""Sending the due notifications: one sender per channel, under its rate limits, with retries.

Per channel, an ``aiolimiter.AsyncLimiter`` with a bucket of one spaces sends evenly at the
notifier's ``max_rate_per_second`` (no burst), and each recipient's messages are at least
``per_recipient_interval`` apart (outbound/notify/pacing.py). Each notification is claimed just
before its send and marked after it (outbound/notify/claims.py), so it goes at most once; a
retry sends only the parts not delivered yet (outbound/progress.py). The database failing
cancels no send: a notification it cannot claim is left for the next run, an outcome it cannot
record is retried, then logged.
"""

from __future__ import annotations

import asyncio
import logging
import math
import traceback
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Final, Literal

from aiolimiter import AsyncLimiter

from kb.access import DatabaseUnavailable
from kb.notifications import DueNotification
from outbound.message import DeliveryError, Notifier, RateLimited, TransientError
from outbound.notify.claims import ClaimStore, PartsStore
from outbound.notify.pacing import RecipientSpacer, RetryPolicy, retrying
from outbound.notify.render import render
from outbound.progress import Progress

logger = logging.getLogger(__name__)

Status = Literal["sent", "failed", "skipped"]
STATUSES: Final[tuple[Status, ...]] = ("sent", "failed", "skipped")

#: At most this many messages of one channel in flight at once.
MAX_IN_FLIGHT: Final = 32
#: Seconds between tries to record a send's outcome while the database is unavailable.
RECORD_RETRY_WAITS: Final = (1.0, 2.0, 4.0, 8.0)


@dataclass
class Summary:
    """What a run did: counts per (kind, channel, status) and the failures' errors."""

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    skipped_channels: Counter[str] = field(default_factory=Counter)

    def add(self, due: DueNotification, status: Status, detail: str = "") -> None:
        """Count one notification's outcome."""
        self.counts[(due.kind, due.channel, status)] += 1
        if status == "failed":
            self.failures.append(f"{due.key} ({due.channel}, event {due.event.slug}): {detail}")

    def count(self, status: Status, *, kind: str | None = None, channel: str | None = None) -> int:
        """How many notifications ended with ``status`` (optionally of one kind / channel)."""
        return sum(
            n
            for (k, c, s), n in self.counts.items()
            if s == status and kind in (None, k) and channel in (None, c)
        )

    def lines(self) -> list[str]:
        """The summary as printed by the admin CLI."""
        groups = sorted({(k, c) for k, c, _ in self.counts})
        if not groups:
            return ["nothing due"]
        lines = [
            f"{kind:<12} {channel:<16} "
            + "  ".join(f"{s} {self.counts[(kind, channel, s)]}" for s in STATUSES)
            for kind, channel in groups
        ]
        if self.skipped_channels:
            names = ", ".join(f"{c} ({n})" for c, n in sorted(self.skipped_channels.items()))
            lines.append(f"skipped, no notifier configured for: {names}")
        lines += [f"failed {f}" for f in self.failures]
        return lines


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _gather_or_cancel(aws: Iterable[Awaitable[None]]) -> None:
    """Run the awaitables concurrently; on the first error cancel the others and re-raise it."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    if not tasks:
        return
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


class ChannelSender:
    """Sends one channel's notifications under its rate limits, with retries."""

    def __init__(
        self,
        notifier: Notifier,
        store: ClaimStore,
        summary: Summary,
        *,
        policy: RetryPolicy,
        retry_failed: bool,
    ) -> None:
        rate = float(notifier.max_rate_per_second)
        if rate <= 0:
            raise ValueError(f"{notifier.channel}: max_rate_per_second must be positive")
        self.notifier, self.store, self.summary = notifier, store, summary
        self.policy, self.retry_failed = policy, retry_failed
        # A bucket of one, refilled every 1/rate s: sends evenly spaced, never a burst.
        self.limiter = AsyncLimiter(1, 1 / rate)
        self.in_flight = asyncio.Semaphore(max(1, min(MAX_IN_FLIGHT, math.ceil(rate))))

    async def run(self, dues: Sequence[DueNotification]) -> None:
        """Send every notification; each recipient's in order, recipients concurrently."""
        by_recipient: dict[str, list[DueNotification]] = defaultdict(list)
        for due in dues:
            by_recipient[due.channel_user_id].append(due)
        await _gather_or_cancel(self._recipient(group) for group in by_recipient.values())

    async def _recipient(self, dues: Sequence[DueNotification]) -> None:
        spacer = RecipientSpacer(float(self.notifier.per_recipient_interval))
        for due in dues:
            await spacer.wait()
            async with self.in_flight:
                status, detail = await self._one(due, spacer)
            self.summary.add(due, status, detail)

    async def _pace(self, spacer: RecipientSpacer) -> None:
        await spacer.wait()
        await self.limiter.acquire()
        spacer.mark()

    async def _one(self, due: DueNotification, spacer: RecipientSpacer) -> tuple[Status, str]:
        # Paced first, claimed just before sending: an interruption leaves few claimed rows.
        await self._pace(spacer)
        try:
            if not await self.store.claim(due, retry_failed=self.retry_failed):
                return "skipped", "claimed by another run"
        except DatabaseUnavailable as exc:  # not claimed: still due at the next run
            logger.warning("%s: %s not sent, database unavailable (%s)", due.channel, due.key, exc)
            return "skipped", "database unavailable"
        message = replace(render(due), progress=await self._progress(due))
        attempts = 0

        async def attempt() -> None:
            nonlocal attempts
            if attempts:
                await self._pace(spacer)
            attempts += 1
            assert message.progress is not None
            message.progress.restart()
            await self.notifier.send(message)

        try:
            await retrying(self.policy)(attempt)
        except (DeliveryError, RateLimited, TransientError) as exc:
            error = _describe(exc)
        except Exception as exc:  # noqa: BLE001 - a notifier bug fails this message, not the run
            logger.error(  # where it failed, not its message: it may quote the recipient
                "%s: unexpected %s sending %s\n%s",
                self.notifier.channel,
                type(exc).__name__,
                due.key,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            error = _describe(exc)
        else:
            await self._record(due, "sent", partial(self.store.mark_sent, due, attempts=attempts))
            logger.info("%s: sent %s after %d attempt(s)", due.channel, due.key, attempts)
            return "sent", ""
        logger.warning(  # the platform's error may quote the number: in last_error only
            "%s: %s failed after %d attempt(s) (%s)",
            due.channel,
            due.key,
            attempts,
            error.split(":", 1)[0],
        )
        mark = partial(self.store.mark_failed, due, attempts=attempts, error=error)
        await self._record(due, "failed", mark)
        return "failed", error

    async def _progress(self, due: DueNotification) -> Progress:
        """The parts of ``due`` already delivered, counted in the store as more are."""
        store = self.store
        if not isinstance(store, PartsStore):
            return Progress()

        async def save(parts_sent: int) -> None:
            try:
                await store.save_parts(due, parts_sent)
            except DatabaseUnavailable as exc:
                logger.warning(
                    "%s: delivered parts of %s not recorded (%s)", due.channel, due.key, exc
                )

        try:
            sent = await store.parts_sent(due)
        except DatabaseUnavailable:
            sent = 0
        return Progress(sent, save)

    async def _record(
        self, due: DueNotification, outcome: str, mark: Callable[[], Awaitable[None]]
    ) -> None:
        """Record an outcome, retried while the database is unavailable; never raised: the
        other sends go on (a row left 'claimed' is not sent again automatically)."""
        for wait in (*RECORD_RETRY_WAITS, None):
            try:
                await mark()
                return
            except DatabaseUnavailable as exc:
                if wait is None:
                    logger.error(
                        "%s: %s %s but not recorded (%s); its row stays 'claimed'",
                        due.channel,
                        due.key,
                        outcome,
                        exc,
                    )
                    return
                await asyncio.sleep(wait)


async def deliver(
    dues: Sequence[DueNotification],
    notifiers: Mapping[str, Notifier],
    store: ClaimStore,
    *,
    retry_failed: bool = False,
    policy: RetryPolicy | None = None,
) -> Summary:
    """Send the due notifications; users of channels without a notifier are skipped, unclaimed."""
    summary = Summary()
    by_channel: dict[str, list[DueNotification]] = defaultdict(list)
    for due in dues:
        if due.channel in notifiers:
            by_channel[due.channel].append(due)
        else:
            summary.add(due, "skipped")
            summary.skipped_channels[due.channel] += 1
    senders = [
        ChannelSender(
            notifiers[channel],
            store,
            summary,
            policy=policy or RetryPolicy(),
            retry_failed=retry_failed,
        ).run(channel_dues)
        for channel, channel_dues in by_channel.items()
    ]
    await _gather_or_cancel(senders)
    return summary
