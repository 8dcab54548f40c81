"""The record of what was sent: a notification is claimed before its send, then marked.

A notifications_sent row is claimed and committed before the send, marked 'sent' after it,
'failed' with the error when giving up. A row left 'claimed' (the process died mid-send) is
never sent again automatically; staff release it (admin release-claims).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb import notifications as store_db
from kb.notifications import DueNotification

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ClaimStore(Protocol):
    """Claims and outcomes of notifications, each in its own committed transaction."""

    async def claim(self, due: DueNotification, *, retry_failed: bool) -> bool:
        """True when this process may send ``due`` (nobody claimed or sent it)."""
        ...

    async def mark_sent(self, due: DueNotification, *, attempts: int) -> None:
        """Record the delivery."""
        ...

    async def mark_failed(self, due: DueNotification, *, attempts: int, error: str) -> None:
        """Record giving up, with the last error."""
        ...


def _row(due: DueNotification) -> dict[str, Any]:
    """The keys of ``due``'s notifications_sent row."""
    return {"kind": due.kind, "user_id": due.user_id, "event_id": due.event.id}


class SqlClaimStore:
    """ClaimStore on the knowledge-base database; queries run in worker threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _commit(self, fn: Callable[..., T], **kwargs: Any) -> T:
        with Session(self.engine) as session, session.begin():
            return fn(session, **kwargs)

    async def _run(self, fn: Callable[..., T], **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, partial(self._commit, fn, **kwargs))

    async def claim(self, due: DueNotification, *, retry_failed: bool) -> bool:
        """Insert (or re-claim a failed) row as 'claimed' and commit."""
        try:
            claimed = await self._run(
                store_db.claim_notification, **_row(due), retry_failed=retry_failed
            )
        except IntegrityError:  # the user erased their data (or the event went) since
            logger.info("not claiming %s: its user or event no longer exists", due.key)
            return False
        return bool(claimed)

    async def mark_sent(self, due: DueNotification, *, attempts: int) -> None:
        """Mark the claimed row 'sent' and commit."""
        await self._run(store_db.mark_sent, **_row(due), attempts=attempts)

    async def mark_failed(self, due: DueNotification, *, attempts: int, error: str) -> None:
        """Mark the claimed row 'failed' with the error and commit."""
        await self._run(store_db.mark_failed, **_row(due), attempts=attempts, error=error)
