"""Running the staff alerts about handoffs: a new request's alerts in a worker thread (the
member's reply does not wait), and the watcher, every minute in the console's process, that
alerts the requests left unannounced, escalates those nobody took and retries failed alerts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Final

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from core import settings as core_settings
from kb.access import session_factory
from kb.session import describe_error
from outbound.staff_alerts import (
    Delivery,
    announce_missed,
    escalate_overdue,
    notify_new_handoff,
    retry_failed_alerts,
)

logger = logging.getLogger(__name__)

#: Seconds between two rounds of the watcher (escalation, retries).
WATCH_EVERY: Final = 60.0

#: Alerts started by notify_soon and not finished (kept so they are not garbage-collected).
_running: set[asyncio.Future[list[Delivery]]] = set()


def _notify_alone(handoff_id: int) -> list[Delivery]:
    with session_factory()() as session:
        return notify_new_handoff(session, handoff_id)


def _finished(future: asyncio.Future[list[Delivery]]) -> None:
    _running.discard(future)
    if not future.cancelled() and future.exception() is not None:
        error = future.exception()
        what = describe_error(error) if isinstance(error, SQLAlchemyError) else type(error).__name__
        logger.error("staff alerts of a handoff not sent (%s): the watcher will", what)


def notify_soon(handoff_id: int) -> asyncio.Future[list[Delivery]]:
    """Start the alerts of a new handoff in a worker thread and return at once (the member's
    reply does not wait for them); their errors are logged, never raised."""
    future = asyncio.get_running_loop().run_in_executor(None, _notify_alone, handoff_id)
    _running.add(future)
    future.add_done_callback(_finished)
    return future


def watch_once(
    sessions: sessionmaker, now: datetime, config: core_settings.Settings
) -> tuple[list[int], int]:
    """One round of the watcher: alert the requests that were not announced, escalate what
    waited too long, retry failed alerts; (escalated ids, alerts sent by retries or late)."""
    with sessions() as session:
        late = announce_missed(session, now, config=config)
        escalated = escalate_overdue(session, now, config=config)
        retried = retry_failed_alerts(session, now, config=config)
    return escalated, late + retried


async def watch(
    sessions: sessionmaker,
    *,
    now: Callable[[], datetime],
    config: core_settings.Settings,
    every: float = WATCH_EVERY,
) -> None:
    """Forever, every ``every`` seconds, one round in a worker thread; errors are logged."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(every)
        try:
            await loop.run_in_executor(None, watch_once, sessions, now(), config)
        except SQLAlchemyError as exc:
            logger.error("handoff watcher: database error: %s", describe_error(exc))
        except Exception as exc:  # noqa: BLE001 - the watcher must outlive any one round
            logger.error("handoff watcher: round failed: %s", type(exc).__name__)
