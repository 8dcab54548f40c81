"""Alerts on new events and reminders before registered events, sent at most once each.

What is due is decided by kb/notifications.py. Each due notification is rendered in the user's
language (render.py, wording in texts.py) and sent through its channel's ``Notifier``
(outbound.message) by dispatch.py:

- pacing: per channel, the notifier's ``max_rate_per_second`` without bursts, and each
  recipient's messages at least ``per_recipient_interval`` apart (pacing.py);
- retries: RateLimited after its ``retry_after``, TransientError with exponential back-off,
  up to ``RetryPolicy.max_attempts``; DeliveryError is final (pacing.py);
- at most once: a notifications_sent row is claimed and committed before the send and marked
  after it; a row left 'claimed' is never sent again automatically (claims.py).

Status notices of registrations are queued by the change that makes them (kb.status_notices)
and sent here the same way. This module is what the admin CLI (``notify-pending``,
``import-events``) and the staff console (publishing events, changing a registration's
status) call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core import settings
from kb import notifications as store_db
from kb import status_notices
from kb.notifications import DueNotification
from outbound.message import Notifier
from outbound.notify.claims import ClaimStore, SqlClaimStore
from outbound.notify.dispatch import Summary, deliver
from outbound.notify.pacing import RetryPolicy
from outbound.notify.render import ALERT_TEMPLATE, REMINDER_TEMPLATE, render
from outbound.telegram import TelegramNotifier
from outbound.twilio import TwilioNotifier
from outbound.whatsapp import WhatsAppNotifier

__all__ = [
    "ALERT_TEMPLATE",
    "REMINDER_TEMPLATE",
    "ClaimStore",
    "NewEventAlerts",
    "RetryPolicy",
    "Summary",
    "alert_new_events",
    "close_all",
    "deliver",
    "due_notifications",
    "notifiers_from_environment",
    "render",
    "send_due",
    "send_status_notice",
]

logger = logging.getLogger(__name__)


def due_notifications(
    engine: Engine,
    *,
    today: date,
    retry_failed: bool = False,
    event_slugs: Sequence[str] | None = None,
    reminders: bool = True,
) -> list[DueNotification]:
    """Alerts (only for ``event_slugs`` when given), then reminders and the queued status
    notices of registrations, due on ``today``."""
    with Session(engine) as session:
        due = store_db.find_due_alerts(
            session, today=today, event_slugs=event_slugs, retry_failed=retry_failed
        )
        if reminders:
            due += store_db.find_due_reminders(session, today=today, retry_failed=retry_failed)
            due += status_notices.find_due_status_notices(
                session, today=today, retry_failed=retry_failed
            )
    return due


async def close_all(notifiers: Mapping[str, Notifier]) -> None:
    """Close every notifier, logging (not raising) a failure to close."""
    for channel, notifier in notifiers.items():
        try:
            await notifier.close()
        except Exception:  # noqa: BLE001 - closing must not hide the run's outcome
            logger.exception("closing the %s notifier failed", channel)


async def send_due(
    engine: Engine,
    dues: Sequence[DueNotification],
    notifiers: Mapping[str, Notifier],
    *,
    retry_failed: bool = False,
    policy: RetryPolicy | None = None,
) -> Summary:
    """Deliver ``dues`` with claims in ``engine``'s database, then close the notifiers."""
    try:
        return await deliver(
            dues, notifiers, SqlClaimStore(engine), retry_failed=retry_failed, policy=policy
        )
    finally:
        await close_all(notifiers)


def notifiers_from_environment() -> dict[str, Notifier]:
    """The notifiers of the channels configured in the environment, keyed by users.channel.

    A channel is configured when its token is set; none set gives an empty dict (alerts stay
    pending until a channel is configured).
    """
    notifiers: dict[str, Notifier] = {}
    env = settings.current()
    if env.telegram.token:
        notifiers["telegram"] = TelegramNotifier.from_settings()
    if env.whatsapp.access_token:
        notifiers["whatsapp"] = WhatsAppNotifier.from_env()
    if env.twilio.account_sid:
        notifiers["twilio_whatsapp"] = TwilioNotifier.from_env()
    return notifiers


@dataclass(frozen=True)
class NewEventAlerts:
    """What became of the alerts for newly published events (or of a status notice).

    ``error`` (a database or settings error) or no notifier configured (``summary`` None with
    ``due`` > 0) leave the alerts due: notify-pending sends them later.
    """

    due: int = 0
    summary: Summary | None = None
    error: Exception | None = None


async def alert_new_events(engine: Engine, slugs: Sequence[str], *, today: date) -> NewEventAlerts:
    """Send the alerts due for the events ``slugs`` (just created and committed) through the
    channels configured in the environment."""
    try:
        dues = await asyncio.to_thread(
            due_notifications, engine, today=today, event_slugs=slugs, reminders=False
        )
        if not dues:
            return NewEventAlerts()
        notifiers = notifiers_from_environment()
    except (SQLAlchemyError, settings.SettingsError) as exc:
        return NewEventAlerts(error=exc)
    if not notifiers:
        return NewEventAlerts(due=len(dues))
    return NewEventAlerts(due=len(dues), summary=await send_due(engine, dues, notifiers))


async def send_status_notice(
    engine: Engine, *, user_id: int, event_id: int, today: date
) -> NewEventAlerts:
    """Send the status notice queued (and committed) for one member's registration to one
    event through the channels configured in the environment; left queued for notify-pending
    when none is, or on a database or settings error."""
    try:

        def queued() -> list[DueNotification]:
            with Session(engine) as session:
                return status_notices.find_due_status_notices(
                    session, today=today, user_id=user_id, event_id=event_id
                )

        dues = await asyncio.to_thread(queued)
        if not dues:
            return NewEventAlerts()
        notifiers = notifiers_from_environment()
    except (SQLAlchemyError, settings.SettingsError) as exc:
        return NewEventAlerts(error=exc)
    if not notifiers:
        return NewEventAlerts(due=len(dues))
    return NewEventAlerts(due=len(dues), summary=await send_due(engine, dues, notifiers))
