"""Sending the due notifications: one sender per channel, under its rate limits, with retries.

Per channel, an ``aiolimiter.AsyncLimiter`` with a bucket of one spaces sends evenly at the
notifier's ``max_rate_per_second`` (no burst), and each recipient's messages are at least
``per_recipient_interval`` apart (outbound/notify/pacing.py). Each notification is claimed just
before its send and marked after it (outbound/notify/claims.py), so it goes at most once.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from aiolimiter import AsyncLimiter

from kb.notifications import DueNotification
from outbound.message import DeliveryError, Notifier, RateLimited, TransientError
from outbound.notify.claims import ClaimStore
from outbound.notify.pacing import RecipientSpacer, RetryPolicy, retrying
from outbound.notify.render import render

logger = logging.getLogger(__name__)

Status = Literal["sent", "failed", "skipped"]
STATUSES: Final[tuple[Status, ...]] = ("sent", "failed", "skipped")

#: At most this many messages of one channel in flight at once.
MAX_IN_FLIGHT: Final = 32


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
        if not await self.store.claim(due, retry_failed=self.retry_failed):
            return "skipped", "claimed by another run"
        message = render(due)
        attempts = 0

        async def attempt() -> None:
            nonlocal attempts
            if attempts:
                await self._pace(spacer)
            attempts += 1
            await self.notifier.send(message)

        try:
            await retrying(self.policy)(attempt)
        except (DeliveryError, RateLimited, TransientError) as exc:
            error = _describe(exc)
        except Exception as exc:  # noqa: BLE001 - a notifier bug fails this message, not the run
            logger.exception("%s: unexpected error sending %s", self.notifier.channel, due.key)
            error = _describe(exc)
        else:
            await self.store.mark_sent(due, attempts=attempts)
            logger.info("%s: sent %s after %d attempt(s)", due.channel, due.key, attempts)
            return "sent", ""
        logger.warning(
            "%s: %s failed after %d attempt(s): %s", due.channel, due.key, attempts, error
        )
        await self.store.mark_failed(due, attempts=attempts, error=error)
        return "failed", error


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
