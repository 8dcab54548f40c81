"""Alerts on new events and reminders before registered events, sent at most once each.

What is due is decided by actions/db/notifications.py. Here each due notification is rendered
in the user's language and sent through its channel's ``Notifier`` (bot/outbound.py):

- pacing: per channel, an ``aiolimiter.AsyncLimiter`` with a bucket of one spaces sends
  evenly at the notifier's ``max_rate_per_second`` (no burst), and each recipient's messages
  are at least ``per_recipient_interval`` apart;
- retries: ``tenacity`` retries RateLimited (waiting its ``retry_after``) and TransientError
  (exponential back-off with jitter), up to ``RetryPolicy.max_attempts``; DeliveryError is final;
- at most once: a notifications_sent row is claimed and committed before the send, marked
  'sent' after it, 'failed' with the error when giving up. A row left 'claimed' (the process
  died mid-send) is never sent again automatically; staff release it (admin release-claims).

Every clock used here is the event loop's (aiolimiter, asyncio.sleep, tenacity's sleep), so
tests run the dispatcher on a virtual-time loop instead of waiting.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any, Final, Literal, Protocol

from aiolimiter import AsyncLimiter
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
    wait_exponential_jitter,
)

from core import settings
from kb import display
from kb import notifications as store_db
from kb.notifications import ALERT, DueNotification
from outbound import notify_texts as texts
from outbound.message import (
    Button,
    DeliveryError,
    Notifier,
    OutboundMessage,
    RateLimited,
    TemplateCall,
    TransientError,
)

logger = logging.getLogger(__name__)

Status = Literal["sent", "failed", "skipped"]
STATUSES: Final[tuple[Status, ...]] = ("sent", "failed", "skipped")

#: The intent and entity of the event details action (domain.yml, actions/missions.py).
DETAILS_INTENT: Final = "ask_mission_details"
#: WhatsApp templates (to be approved in Meta's manager) for messages outside the 24-hour window.
ALERT_TEMPLATE: Final = "asmex_event_alert"  # parameters: title, type, place, dates
REMINDER_TEMPLATE: Final = "asmex_event_reminder"  # parameters: title, when, dates, place
#: At most this many messages of one channel in flight at once.
MAX_IN_FLIGHT: Final = 32


# --- rendering -------------------------------------------------------------------------------


def details_payload(slug: str) -> str:
    """The button payload that opens the event's details: Rasa's ``/intent{json}`` shortcut."""
    return f"/{DETAILS_INTENT}{json.dumps({'event_slug': slug})}"


def alert_text(due: DueNotification) -> str:
    """The alert for a new event, in the user's language."""
    lang, event = due.language, due.event
    parts = [texts.ALERT[lang].format(**_values(due))]
    if event.registration_deadline:
        deadline = display.format_date(event.registration_deadline, lang)
        parts.append(texts.DEADLINE[lang].format(deadline=deadline))
    if event.sample:
        parts.append(texts.SAMPLE[lang])
    parts.append(texts.STOP_ALERTS[lang])
    return "\n".join(parts)


def reminder_text(due: DueNotification) -> str:
    """The reminder of a registered event, in the user's language."""
    text = texts.REMINDER[due.language].format(**_values(due))
    return f"{text}\n{texts.SAMPLE[due.language]}" if due.event.sample else text


def _values(due: DueNotification) -> dict[str, str]:
    lang, event = due.language, due.event
    return {
        "title": event.title.get(lang),
        "type": display.event_type_name(event.type, lang).capitalize(),
        "place": display.place(event.city, event.country, event.type, lang),
        "dates": display.format_period(event.start_date, event.end_date, lang),
        "when": texts.in_days(due.days_left, lang),
    }


def render(due: DueNotification) -> OutboundMessage:
    """The message for one due notification, with a button to see the event."""
    lang = texts.lang_or_default(due.language)
    if lang != due.language:
        due = replace(due, language=lang)
    values = _values(due)
    if due.kind == ALERT:
        text = alert_text(due)
        parameters = (values["title"], values["type"], values["place"], values["dates"])
        template = TemplateCall(ALERT_TEMPLATE, lang, parameters)
    else:
        text = reminder_text(due)
        parameters = (values["title"], values["when"], values["dates"], values["place"])
        template = TemplateCall(REMINDER_TEMPLATE, lang, parameters)
    return OutboundMessage(
        recipient=due.channel_user_id,
        text=text,
        language=lang,
        buttons=(Button(texts.SEE_EVENT[lang], details_payload(due.event.slug)),),
        last_inbound_at=due.last_inbound_at,
        template=template,
        key=due.key,
    )


# --- the record of what was sent ------------------------------------------------------------


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


class SqlClaimStore:
    """ClaimStore on the knowledge-base database; queries run in worker threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _commit(self, fn: Any, **kwargs: Any) -> Any:
        with Session(self.engine) as session, session.begin():
            return fn(session, **kwargs)

    async def _run(self, fn: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, partial(self._commit, fn, **kwargs))

    async def claim(self, due: DueNotification, *, retry_failed: bool) -> bool:
        """Insert (or re-claim a failed) row as 'claimed' and commit."""
        try:
            claimed = await self._run(
                store_db.claim_notification,
                kind=due.kind,
                user_id=due.user_id,
                event_id=due.event.id,
                retry_failed=retry_failed,
            )
        except IntegrityError:  # the user erased their data (or the event went) since
            logger.info("not claiming %s: its user or event no longer exists", due.key)
            return False
        return bool(claimed)

    async def mark_sent(self, due: DueNotification, *, attempts: int) -> None:
        """Mark the claimed row 'sent' and commit."""
        await self._run(
            store_db.mark_sent,
            kind=due.kind,
            user_id=due.user_id,
            event_id=due.event.id,
            attempts=attempts,
        )

    async def mark_failed(self, due: DueNotification, *, attempts: int, error: str) -> None:
        """Mark the claimed row 'failed' with the error and commit."""
        await self._run(
            store_db.mark_failed,
            kind=due.kind,
            user_id=due.user_id,
            event_id=due.event.id,
            attempts=attempts,
            error=error,
        )


# --- outcome ---------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a run did: counts per (kind, channel, status) and the failures' errors."""

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    skipped_channels: Counter[str] = field(default_factory=Counter)

    def add(self, due: DueNotification, status: Status, detail: str = "") -> None:
        """Count one notification's outcome."""
        self.counts[(due.kind, due.channel, status)] += 1
        if status == "failed":
            self.failures.append(f"{due.key} ({due.channel}, event {due.event.slug}): {detail}")

    def count(self, status: Status, *, kind: str | None = None, channel: str | None = None) -> int:
        """How many notifications ended with ``status`` (optionally of one kind / channel)."""
        return sum(
            n
            for (k, c, s), n in self.counts.items()
            if s == status and kind in (None, k) and channel in (None, c)
        )

    def lines(self) -> list[str]:
        """The summary as printed by the admin CLI."""
        groups = sorted({(k, c) for k, c, _ in self.counts})
        if not groups:
            return ["nothing due"]
        lines = [
            f"{kind:<12} {channel:<16} "
            + "  ".join(f"{s} {self.counts[(kind, channel, s)]}" for s in STATUSES)
            for kind, channel in groups
        ]
        if self.skipped_channels:
            names = ", ".join(f"{c} ({n})" for c, n in sorted(self.skipped_channels.items()))
            lines.append(f"skipped, no notifier configured for: {names}")
        lines += [f"failed {f}" for f in self.failures]
        return lines


# --- sending ---------------------------------------------------------------------------------


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


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _gather_or_cancel(aws: Iterable[Awaitable[None]]) -> None:
    """Run the awaitables concurrently; on the first error cancel the others and re-raise it."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    if not tasks:
        return
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


class ChannelSender:
    """Sends one channel's notifications under its rate limits, with retries."""

    def __init__(
        self,
        notifier: Notifier,
        store: ClaimStore,
        summary: Summary,
        *,
        policy: RetryPolicy,
        retry_failed: bool,
    ) -> None:
        rate = float(notifier.max_rate_per_second)
        if rate <= 0:
            raise ValueError(f"{notifier.channel}: max_rate_per_second must be positive")
        self.notifier, self.store, self.summary = notifier, store, summary
        self.policy, self.retry_failed = policy, retry_failed
        # A bucket of one, refilled every 1/rate s: sends evenly spaced, never a burst.
        self.limiter = AsyncLimiter(1, 1 / rate)
        self.in_flight = asyncio.Semaphore(max(1, min(MAX_IN_FLIGHT, math.ceil(rate))))

    async def run(self, dues: Sequence[DueNotification]) -> None:
        """Send every notification; each recipient's in order, recipients concurrently."""
        by_recipient: dict[str, list[DueNotification]] = defaultdict(list)
        for due in dues:
            by_recipient[due.channel_user_id].append(due)
        await _gather_or_cancel(self._recipient(group) for group in by_recipient.values())

    async def _recipient(self, dues: Sequence[DueNotification]) -> None:
        spacer = RecipientSpacer(float(self.notifier.per_recipient_interval))
        for due in dues:
            await spacer.wait()
            async with self.in_flight:
                status, detail = await self._one(due, spacer)
            self.summary.add(due, status, detail)

    async def _pace(self, spacer: RecipientSpacer) -> None:
        await spacer.wait()
        await self.limiter.acquire()
        spacer.mark()

    async def _one(self, due: DueNotification, spacer: RecipientSpacer) -> tuple[Status, str]:
        # Paced first, claimed just before sending: an interruption leaves few claimed rows.
        await self._pace(spacer)
        if not await self.store.claim(due, retry_failed=self.retry_failed):
            return "skipped", "claimed by another run"
        message = render(due)
        attempts = 0

        async def attempt() -> None:
            nonlocal attempts
            if attempts:
                await self._pace(spacer)
            attempts += 1
            await self.notifier.send(message)

        try:
            await retrying(self.policy)(attempt)
        except (DeliveryError, RateLimited, TransientError) as exc:
            error = _describe(exc)
        except Exception as exc:  # noqa: BLE001 - a notifier bug fails this message, not the run
            logger.exception("%s: unexpected error sending %s", self.notifier.channel, due.key)
            error = _describe(exc)
        else:
            await self.store.mark_sent(due, attempts=attempts)
            logger.info("%s: sent %s after %d attempt(s)", due.channel, due.key, attempts)
            return "sent", ""
        logger.warning(
            "%s: %s failed after %d attempt(s): %s", due.channel, due.key, attempts, error
        )
        await self.store.mark_failed(due, attempts=attempts, error=error)
        return "failed", error


async def deliver(
    dues: Sequence[DueNotification],
    notifiers: Mapping[str, Notifier],
    store: ClaimStore,
    *,
    retry_failed: bool = False,
    policy: RetryPolicy | None = None,
) -> Summary:
    """Send the due notifications; users of channels without a notifier are skipped, unclaimed."""
    summary = Summary()
    by_channel: dict[str, list[DueNotification]] = defaultdict(list)
    for due in dues:
        if due.channel in notifiers:
            by_channel[due.channel].append(due)
        else:
            summary.add(due, "skipped")
            summary.skipped_channels[due.channel] += 1
    senders = [
        ChannelSender(
            notifiers[channel],
            store,
            summary,
            policy=policy or RetryPolicy(),
            retry_failed=retry_failed,
        ).run(channel_dues)
        for channel, channel_dues in by_channel.items()
    ]
    await _gather_or_cancel(senders)
    return summary


# --- what the admin CLI calls ----------------------------------------------------------------


def due_notifications(
    engine: Engine,
    *,
    today: date,
    retry_failed: bool = False,
    event_slugs: Sequence[str] | None = None,
    reminders: bool = True,
) -> list[DueNotification]:
    """Alerts (only for ``event_slugs`` when given), then reminders, due on ``today``."""
    with Session(engine) as session:
        due = store_db.find_due_alerts(
            session, today=today, event_slugs=event_slugs, retry_failed=retry_failed
        )
        if reminders:
            due += store_db.find_due_reminders(session, today=today, retry_failed=retry_failed)
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
        from outbound.telegram import TelegramNotifier

        notifiers["telegram"] = TelegramNotifier.from_settings()
    if env.whatsapp.access_token:
        from bot.channels.whatsapp import WhatsAppNotifier

        notifiers["whatsapp"] = WhatsAppNotifier.from_env()
    if env.twilio.account_sid:
        from bot.channels.twilio import TwilioNotifier

        notifiers["twilio_whatsapp"] = TwilioNotifier.from_env()
    return notifiers
