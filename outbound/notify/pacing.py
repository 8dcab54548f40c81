"""How hard and how fast to try one message: retries, and the spacing of one recipient's messages.

``tenacity`` retries RateLimited (waiting its ``retry_after``) and TransientError (exponential
back-off with jitter), up to ``RetryPolicy.max_attempts``; DeliveryError is final. Every clock
here is the event loop's (asyncio.sleep, tenacity's sleep), so tests run on virtual time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
    wait_exponential_jitter,
)

from outbound.message import RateLimited, TransientError


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one message."""

    max_attempts: int = 5
    backoff_multiplier: float = 1.0  # first back-off about 1 s, then 2, 4... plus jitter
    backoff_max: float = 60.0
    #: Give up rather than wait longer than this for a platform's retry_after.
    max_retry_after: float = 300.0


class _WaitRetryAfter:
    """Wait the platform's retry_after on RateLimited, else the fallback back-off."""

    def __init__(self, fallback: wait_exponential_jitter) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return max(0.0, float(exc.retry_after))
        return float(self.fallback(retry_state))


class _RetryAfterTooLong:
    """Stop when the platform asks to wait longer than the policy allows."""

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def __call__(self, retry_state: RetryCallState) -> bool:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        return isinstance(exc, RateLimited) and (exc.retry_after or 0.0) > self.limit


def retrying(policy: RetryPolicy) -> AsyncRetrying:
    """Tenacity's retry loop for one message under ``policy`` (the last error re-raised)."""
    return AsyncRetrying(
        retry=retry_if_exception_type((RateLimited, TransientError)),
        wait=_WaitRetryAfter(
            wait_exponential_jitter(
                multiplier=policy.backoff_multiplier,
                max=policy.backoff_max,
                jitter=policy.backoff_multiplier,
            )
        ),
        stop=stop_any(
            stop_after_attempt(policy.max_attempts),
            _RetryAfterTooLong(policy.max_retry_after),  # type: ignore[arg-type]
        ),
        reraise=True,
    )


class RecipientSpacer:
    """Keeps one recipient's messages ``interval`` seconds apart (loop time)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last: float | None = None

    async def wait(self) -> None:
        """Sleep until the next message to this recipient may go."""
        if self.last is None or self.interval <= 0:
            return
        delay = self.last + self.interval - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)

    def mark(self) -> None:
        """Note that a message to this recipient starts now."""
        self.last = asyncio.get_running_loop().time()
