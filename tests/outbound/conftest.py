"""Fixtures of the sending tests: a virtual-time event loop for the notification dispatcher."""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

#: Virtual time that passes on each turn of the loop, as a real clock would (it also lets
#: aiolimiter's wake-up timers, computed to the nanosecond, come due).
TICK = 1e-6


class VirtualSelector(selectors.DefaultSelector):
    """A selector that, instead of waiting for the next timer, jumps the clock to it."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = super().select(0)
        if ready or timeout == 0:
            self.now += TICK
            return ready
        if timeout is None:  # nothing scheduled: only I/O (a worker thread) can wake us
            return super().select(None)
        self.now += max(timeout, TICK)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose time() is virtual: sleeps, aiolimiter and tenacity never wait."""

    def __init__(self) -> None:
        self._virtual = VirtualSelector()
        super().__init__(self._virtual)

    def time(self) -> float:
        return self._virtual.now


@pytest.fixture()
def run_virtual() -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run a coroutine to completion on a fresh virtual-time loop."""

    def run(coro: Coroutine[Any, Any, T]) -> T:
        loop = VirtualTimeLoop()
        try:
            return loop.run_until_complete(coro)
        finally:
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    return run
