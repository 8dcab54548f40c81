"""Limits every webhook can apply (bot/channels/limits.py): body size and per-sender rate."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from bot.channels.limits import SenderRateLimiter, body_too_large, too_large


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def request(body: bytes, **headers: str) -> SimpleNamespace:
    """What the limits read of a Sanic request: its headers (lower-case names) and body."""
    return SimpleNamespace(headers={k.replace("_", "-"): v for k, v in headers.items()}, body=body)


@pytest.mark.parametrize(
    ("body", "headers", "too_large_"),
    [
        (b"x" * 100, {}, False),
        (b"x" * 101, {}, True),
        (b"", {"content_length": "101"}, True),  # declared: refused before reading
        (b"x" * 10, {"content_length": "100"}, False),
        (b"x" * 101, {"content_length": "10"}, True),  # a lying header changes nothing
        (b"x" * 10, {"content_length": "abc"}, False),
        (b"x" * 10, {"content_length": "-5"}, False),
        (b"", {}, False),
    ],
)
def test_body_too_large(body: bytes, headers: dict[str, str], too_large_: bool) -> None:
    assert body_too_large(request(body, **headers), 100) is too_large_


def test_the_413_names_the_limit_and_nothing_of_the_request() -> None:
    answer = too_large(4096)
    assert answer.status == 413
    assert json.loads(answer.body) == {"error": "the body must be at most 4096 bytes"}


def test_a_burst_then_the_rate() -> None:
    clock = FakeClock()
    limiter = SenderRateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("a") == pytest.approx(0.5)
    clock.now += 0.25
    assert limiter.allow("a") is False
    clock.now += 0.25
    assert limiter.allow("a") is True
    assert limiter.allow("a") is False
    clock.now += 60  # a long pause refills the bucket, never beyond the burst
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]


def test_senders_are_limited_apart() -> None:
    limiter = SenderRateLimiter(rate=1.0, burst=1, clock=FakeClock())
    assert limiter.allow("telegram:1") and not limiter.allow("telegram:1")
    assert limiter.allow("telegram:2")
    assert limiter.retry_after("never-seen") == 0.0


def test_refused_messages_do_not_push_the_next_one_back() -> None:
    clock = FakeClock()
    limiter = SenderRateLimiter(rate=1.0, burst=1, clock=clock)
    assert limiter.allow("a")
    for _ in range(10):  # a flood while empty
        clock.now += 0.05
        assert not limiter.allow("a")
    clock.now += 0.5  # one second after the allowed message
    assert limiter.allow("a")


def test_memory_is_bounded_least_recently_seen_forgotten() -> None:
    limiter = SenderRateLimiter(rate=1.0, burst=1, clock=FakeClock(), max_senders=3)
    for sender in ("a", "b", "c"):
        limiter.allow(sender)
    limiter.allow("a")  # refused, but seen again: b is now the oldest
    limiter.allow("d")
    assert len(limiter) == 3
    assert limiter.allow("b")  # forgotten: a full bucket again
    assert not limiter.allow("a")


@pytest.mark.parametrize(("rate", "burst"), [(0, 5), (-1, 5), (1, 0)])
def test_nonsense_limits_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        SenderRateLimiter(rate, burst)
