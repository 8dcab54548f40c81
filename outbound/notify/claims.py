"""The record of what was sent: a notification is claimed before its send, then marked.

A notifications_sent row is claimed and committed before the send, marked 'sent' after it,
'failed' with the error when giving up. A row left 'claimed' (the process died mid-send) is
never sent again automatically; staff release it (admin release-claims). Each platform message
of a notification delivered is counted on its row (``PartsStore``), so a retry sends only the
parts left. A database error is raised as kb.access.DatabaseUnavailable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, TypeVar, runtime_checkable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from kb import notifications as store_db
from kb import outbox
from kb.access import DatabaseUnavailable
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


@runtime_checkable
class PartsStore(Protocol):
    """Where the delivered parts of each notification are counted (a ClaimStore may be one)."""

    async def parts_sent(self, due: DueNotification) -> int:
        """How many parts of ``due`` earlier attempts delivered."""
        ...

    async def save_parts(self, due: DueNotification, parts_sent: int) -> None:
        """Record that the first ``parts_sent`` parts of ``due`` were delivered."""
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
        try:
            return await loop.run_in_executor(None, partial(self._commit, fn, **kwargs))
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(f"{type(exc).__name__} in {fn.__name__}") from exc

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

    async def parts_sent(self, due: DueNotification) -> int:
        """The parts of the claimed row counted as delivered."""
        return await self._run(outbox.notification_parts_sent, **_row(due))

    async def save_parts(self, due: DueNotification, parts_sent: int) -> None:
        """Count the delivered parts on the row and commit."""
        await self._run(outbox.mark_notification_parts, **_row(due), parts_sent=parts_sent)

    async def mark_sent(self, due: DueNotification, *, attempts: int) -> None:
        """Mark the claimed row 'sent' and commit."""
        await self._run(store_db.mark_sent, **_row(due), attempts=attempts)

    async def mark_failed(self, due: DueNotification, *, attempts: int, error: str) -> None:
        """Mark the claimed row 'failed' with the error and commit."""
        await self._run(store_db.mark_failed, **_row(due), attempts=attempts, error=error)
