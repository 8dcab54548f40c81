"""Limits every webhook applies before handing a message on: body size and per-sender rate.

- ``body_too_large(request, limit)``: True when the request's body (its Content-Length, else
  the bytes received) is over ``limit`` bytes; the route then answers ``too_large()`` (413).
  Sanic reads a body whole before the handler runs, up to the app's REQUEST_MAX_SIZE
  (``SANIC_REQUEST_MAX_SIZE`` in the environment; scripts/serve.sh sets 1 MiB): that bounds
  the memory, this bounds what each route accepts.
- ``SenderRateLimiter(rate, burst).allow(sender)``: a token bucket per sender: ``burst``
  messages at once, then ``rate`` per second. A refused message is answered with the
  channel text ``rate_limited`` (bot/channels/texts.py) in the member's language, and is not
  handed to Rasa. Buckets live in the process: with several workers or replicas each keeps
  its own, so a sender gets at most that many times the limit.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sanic import response
from sanic.response import HTTPResponse

#: Rounding the refills may lose (many small steps add up to a hair under one message).
_EPSILON: Final = 1e-9
#: Per sender: RATE_BURST messages at once, then RATE_PER_SECOND (well above anyone typing).
RATE_PER_SECOND: Final = 2.0
RATE_BURST: Final = 30
#: Largest body a platform webhook (Telegram, WhatsApp, Twilio) accepts: a batch of updates,
#: well under the server's own cap (SANIC_REQUEST_MAX_SIZE, 1 MiB in scripts/serve.sh).
MAX_WEBHOOK_BODY: Final = 512 * 1024
#: A sender over the limit hears "wait a few seconds" at most once in this many seconds; the
#: rest of the burst is dropped without a word.
NOTICE_EVERY: Final = 60.0

#: Senders whose buckets are remembered; beyond it the least recently seen are forgotten
#: (a forgotten sender starts again with a full bucket).
MAX_SENDERS: Final = 100_000


def content_length(request: Any) -> int | None:
    """The request's declared Content-Length, or None when absent or not a number."""
    value = request.headers.get("content-length")
    if value is None:
        return None
    try:
        length = int(str(value).strip())
    except ValueError:
        return None
    return length if length >= 0 else None


def body_too_large(request: Any, limit: int) -> bool:
    """True when the body of ``request`` is over ``limit`` bytes (declared or received)."""
    declared = content_length(request)
    if declared is not None and declared > limit:
        return True
    return len(request.body or b"") > limit


def too_large(limit: int) -> HTTPResponse:
    """The 413 answer: a JSON error naming the limit, nothing of the request."""
    return response.json({"error": f"the body must be at most {limit} bytes"}, status=413)


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class SenderRateLimiter:
    """A token bucket per sender: ``burst`` messages at once, then ``rate`` per second."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_senders: int = MAX_SENDERS,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = clock
        self._max_senders = max_senders
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._noticed: dict[str, float] = {}

    def allow(self, sender: str) -> bool:
        """Take one message from ``sender``'s bucket: False when it is empty (refuse it)."""
        now = self._clock()
        bucket = self._buckets.get(sender)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
            self._buckets[sender] = bucket
            self._forget_oldest()
        else:
            self._buckets.move_to_end(sender)
            elapsed = max(0.0, now - bucket.stamp)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
            bucket.stamp = now
        if bucket.tokens < 1.0 - _EPSILON:
            return False
        bucket.tokens = max(0.0, bucket.tokens - 1.0)
        return True

    def notice_due(self, sender: str, every: float = NOTICE_EVERY) -> bool:
        """True at most once in ``every`` seconds per sender: whether a refused message is
        worth a "wait a few seconds" reply (the rest of a flood gets none)."""
        now = self._clock()
        last = self._noticed.get(sender)
        if last is not None and now - last < every:
            return False
        self._noticed[sender] = now
        while len(self._noticed) > self._max_senders:
            self._noticed.pop(next(iter(self._noticed)))
        return True

    def retry_after(self, sender: str) -> float:
        """Seconds until ``sender`` may send again (0 when they may now)."""
        bucket = self._buckets.get(sender)
        if bucket is None:
            return 0.0
        elapsed = max(0.0, self._clock() - bucket.stamp)
        missing = 1.0 - min(float(self.burst), bucket.tokens + elapsed * self.rate)
        return max(0.0, missing / self.rate)

    def __len__(self) -> int:
        """Senders remembered."""
        return len(self._buckets)

    def _forget_oldest(self) -> None:
        while len(self._buckets) > self._max_senders:
            self._buckets.popitem(last=False)
