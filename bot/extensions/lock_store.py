"""Rasa's Redis lock store, with every change of a lock made atomically.

Rasa keeps one ticket lock per conversation so that two messages of one user are handled one
after the other. Its RedisLockStore changes a lock by reading it, changing it in Python and
writing it back (issue a ticket, finish serving, clean up). With several Rasa processes (Sanic
workers or replicas) two of them can read the same lock at once: both issue the same ticket
number and handle the user's messages at the same time, or one writes back a lock without the
other's ticket. The end-to-end test that sends one user's messages together lost a message
from the stored conversation that way, on two workers (tests/e2e/test_concurrency.py; the
maintainers' fix went into Rasa Pro, RasaHQ/rasa#11256).

AtomicRedisLockStore makes each of those read-change-write steps one Redis transaction
(WATCH, then MULTI/EXEC, retried when another process changed the lock in between). Configured
in endpoints.production.yml as ``type: bot.extensions.lock_store.AtomicRedisLockStore`` with
RedisLockStore's settings (url, port, password, db, key_prefix, ...).

A ticket lives 60 s (Rasa's LOCK_LIFETIME), while a turn may wait 300 s for the action server
(Rasa's action timeout): the next message of the user would then be handled while the first
still runs. Here a ticket is renewed every third of its lifetime for as long as its message
waits or is handled, so the lock outlives the longest action, and a process that dies holding
it frees it within a lifetime.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot import extensions

logger = logging.getLogger(__name__)

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket operations are Redis transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Rasa builds a custom lock store from its endpoint configuration; tests may pass
        RedisLockStore's keyword arguments directly."""
        extensions.install()
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock], T],
        *,
        create: bool = False,
        delete_when_empty: bool = False,
    ) -> T | None:
        """Apply ``change`` to the stored lock in one transaction; its result.

        Without a stored lock: a new one if ``create``, else nothing happens (None).
        """
        key = self.key_prefix + conversation_id
        outcome: list[T] = []

        def transaction(pipe: Any) -> None:
            outcome.clear()
            raw = pipe.get(key)
            if raw:
                lock = TicketLock.from_dict(json.loads(raw))
            elif create:
                lock = self.create_lock(conversation_id)
            else:
                return
            outcome.append(change(lock))
            pipe.multi()
            if delete_when_empty and not lock.is_someone_waiting():
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())

        # Retried by redis-py whenever the watched key changed before EXEC.
        self.red.transaction(transaction, key)
        return outcome[0] if outcome else None

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket, after every ticket already issued for this conversation."""
        try:
            ticket = self._change(
                conversation_id,
                lambda lock: lock.issue_ticket(lock_lifetime),
                create=True,
            )
        except Exception as error:  # noqa: BLE001 - as RedisLockStore: any failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        assert ticket is not None  # create=True always yields a lock
        return ticket

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (a waiting message's poll)."""
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket that was served."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the served ticket, and the lock itself when no one else holds a ticket."""
        self._change(
            conversation_id,
            lambda lock: lock.remove_ticket_for(ticket_number),
            delete_when_empty=True,
        )

    def extend_ticket(self, conversation_id: str, ticket_number: int, lifetime: float) -> bool:
        """Make a ticket live ``lifetime`` seconds from now; False when it is gone (expired)."""

        def extend(lock: TicketLock) -> bool:
            ticket = lock._ticket_for_ticket_number(ticket_number)
            if ticket is None:
                return False
            ticket.expires = time.time() + lifetime
            return True

        return bool(self._change(conversation_id, extend))

    async def _keep_ticket(self, conversation_id: str, ticket: int, lifetime: float) -> None:
        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                self.extend_ticket(conversation_id, ticket, lifetime)
            except Exception as error:  # noqa: BLE001 - Redis down: the ticket may expire
                logger.warning("lock ticket not renewed: %s", type(error).__name__)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock, the ticket renewed while its message waits and is handled."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper = asyncio.create_task(self._keep_ticket(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keeper.cancel()
            with suppress(asyncio.CancelledError):
                await keeper
            self.cleanup(conversation_id, ticket)
