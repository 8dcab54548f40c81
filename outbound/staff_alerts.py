"""Staff alerts about handoffs: the region's delegates (or the head office) told by e-mail
(SMTP) and in the staff Telegram chat, each alert once; escalation of a request nobody took.

``notify_new_handoff`` is blocking (smtplib, a short-lived event loop for the Bot API): the
action server runs it in a worker thread, the console's watcher too (outbound.handoff_watch). It
commits as it goes: each alert is claimed (kb.handoff_alerts) and committed before its send,
its outcome after. A failed send is logged by kind (never an address or a member's data) and
tried again by ``retry_failed_alerts`` (the watcher, every minute); it never reaches the member.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Final

from sqlalchemy.orm import Session
from telegram.error import TelegramError

from core import settings as core_settings
from kb import handoff_alerts as store
from kb.handoff_alerts import ESCALATION, NEW, HandoffAlert, Kind, Recipient
from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES
from outbound import staff_texts
from outbound.telegram import make_bot

logger = logging.getLogger(__name__)

#: Seconds an SMTP server or the Bot API may take to answer before the send counts as failed.
TIMEOUT: Final = 20.0


@dataclass(frozen=True)
class Target:
    """Where one alert goes: ``email:<language>`` (its addresses) or ``telegram``."""

    key: str
    language: str
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delivery:
    """One alert tried: where, and its error's kind (None when it was sent)."""

    target: str
    error: str | None = None


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def console_link(config: core_settings.Settings, handoff_id: int) -> str:
    """CONSOLE_PUBLIC_URL/handoffs/<id> (the console's own address when unset)."""
    base = config.console_public_url or f"http://{config.console_host}:{config.console_port}"
    return f"{base}/handoffs/{handoff_id}"


def recipients_of(
    session: Session, alert: HandoffAlert, *, escalated: bool, config: core_settings.Settings
) -> list[Recipient]:
    """The region's delegates; the head office when there are none or when escalated."""
    found = [] if escalated else store.region_delegates(session, region=alert.region)
    return found or store.head_office(session, extra_email=config.head_office_email)


def alerts_configured(config: core_settings.Settings) -> bool:
    """Whether alerts can leave at all: SMTP (host and sender) or the staff chat (and a bot)."""
    email = bool(config.smtp.host and config.smtp.sender)
    return email or bool(config.staff_telegram_chat_id and config.telegram.token)


def targets_of(recipients: list[Recipient], config: core_settings.Settings) -> list[Target]:
    """One e-mail per language the recipients read (with SMTP set), and the staff chat."""
    targets = []
    if config.smtp.host and config.smtp.sender:
        for language in REPLY_LANGUAGES:
            addresses = tuple(r.email for r in recipients if r.language == language)
            if addresses:
                targets.append(Target(f"email:{language}", language, addresses))
    if config.staff_telegram_chat_id and config.telegram.token:
        targets.append(Target("telegram", DEFAULT_LANGUAGE))
    return targets


# --- sending -------------------------------------------------------------------------------------


def email_message(
    alert: HandoffAlert, target: Target, *, kind: Kind, config: core_settings.Settings
) -> EmailMessage:
    """The alert as an e-mail to the target's addresses."""
    message = EmailMessage()
    minutes = config.handoff_escalate_minutes
    message["Subject"] = staff_texts.subject(
        alert, kind=kind, language=target.language, minutes=minutes
    )
    message["From"] = config.smtp.sender
    message["To"] = ", ".join(target.addresses)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="asmex.local")
    link = console_link(config, alert.handoff_id)
    message.set_content(staff_texts.body(alert, kind=kind, language=target.language, link=link))
    return message


def send_email(smtp: core_settings.SmtpEnv, message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server (STARTTLS, then login, when configured)."""
    with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT) as client:
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        if smtp.user:
            client.login(smtp.user, smtp.password)
        client.send_message(message)


def send_staff_chat(telegram: core_settings.TelegramEnv, chat_id: str, text: str) -> None:
    """Post ``text`` in the staff chat (a short-lived event loop: this runs in a thread)."""

    async def post() -> None:
        async with make_bot(telegram.token, telegram.base_url) as bot:
            await bot.send_message(chat_id, text, read_timeout=TIMEOUT, write_timeout=TIMEOUT)

    asyncio.run(post())


def error_kind(exc: BaseException) -> str:
    """What a log and the record may say of a failure: its class and SMTP code, no text
    (an SMTP error may quote the addresses)."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__} {code}" if isinstance(code, int) else type(exc).__name__


def _send(
    alert: HandoffAlert, target: Target, *, kind: Kind, config: core_settings.Settings
) -> str | None:
    """Send one alert; its error's kind, or None."""
    try:
        if target.key == "telegram":
            link = console_link(config, alert.handoff_id)
            text = staff_texts.body(alert, kind=kind, language=target.language, link=link)
            send_staff_chat(config.telegram, config.staff_telegram_chat_id, text)
        else:
            send_email(config.smtp, email_message(alert, target, kind=kind, config=config))
    except (OSError, smtplib.SMTPException, TelegramError, ValueError) as exc:
        return error_kind(exc)
    return None


def notify_new_handoff(
    session: Session,
    handoff_id: int,
    *,
    escalated: bool = False,
    retry_failed: bool = False,
    config: core_settings.Settings | None = None,
    now: Callable[[], datetime] = _utcnow,
) -> list[Delivery]:
    """Tell the handoff's region delegates (else, or when ``escalated``, the head office) by
    e-mail and in the staff chat; the alerts this call tried.

    Each alert goes once: one already claimed or sent is skipped (a failed one is tried again
    with ``retry_failed``). Blocking, and commits as it goes: give it a session of its own.
    """
    config = config or core_settings.current()
    kind: Kind = ESCALATION if escalated else NEW
    alert = store.alert_of(session, handoff_id=handoff_id)
    if alert is None:
        session.rollback()
        return []
    targets = targets_of(recipients_of(session, alert, escalated=escalated, config=config), config)
    session.commit()
    if not targets:
        logger.info(
            "staff alert %s of handoff %d: no recipient or no SMTP/staff chat", kind, handoff_id
        )
    tried = []
    for target in targets:
        claimed = store.claim(
            session,
            handoff_id=handoff_id,
            kind=kind,
            target=target.key,
            now=now(),
            retry_failed=retry_failed,
        )
        session.commit()
        if not claimed:
            continue
        error = _send(alert, target, kind=kind, config=config)
        store.mark(
            session,
            handoff_id=handoff_id,
            kind=kind,
            target=target.key,
            now=now(),
            error=error or "",
        )
        session.commit()
        if error:
            logger.warning(
                "staff alert %s of handoff %d to %s failed (%s): tried again later",
                kind,
                handoff_id,
                target.key,
                error,
            )
        else:
            logger.info("staff alert %s of handoff %d sent to %s", kind, handoff_id, target.key)
        tried.append(Delivery(target.key, error))
    return tried


def escalate_overdue(
    session: Session, now: datetime, *, config: core_settings.Settings | None = None
) -> list[int]:
    """Escalate to the head office, once each, the open handoffs nobody took within
    HANDOFF_ESCALATE_MINUTES of ``now``; their ids."""
    config = config or core_settings.current()
    cutoff = now - timedelta(minutes=config.handoff_escalate_minutes)
    escalated = store.escalate_waiting(session, cutoff=cutoff, now=now)
    session.commit()
    for handoff_id in escalated:
        logger.info(
            "handoff %d waited over %d min: escalated", handoff_id, config.handoff_escalate_minutes
        )
        notify_new_handoff(session, handoff_id, escalated=True, config=config, now=lambda: now)
    return escalated


def retry_failed_alerts(
    session: Session, now: datetime, *, config: core_settings.Settings | None = None
) -> int:
    """Try the failed alerts again (up to kb.handoff_alerts.MAX_ATTEMPTS); how many were sent."""
    sent = 0
    for handoff_id, kind in store.failed_alerts(session):
        tried = notify_new_handoff(
            session,
            handoff_id,
            escalated=kind == ESCALATION,
            retry_failed=True,
            config=config,
            now=lambda: now,
        )
        sent += sum(1 for delivery in tried if delivery.error is None)
    session.rollback()
    return sent


def announce_missed(
    session: Session, now: datetime, *, config: core_settings.Settings | None = None
) -> int:
    """Send the ``new`` alerts of the requests of the last HANDOFF_ESCALATE_MINUTES that have
    none (their process stopped first); how many were sent. Older ones are escalated."""
    config = config or core_settings.current()
    if not alerts_configured(config):
        return 0
    since = now - timedelta(minutes=config.handoff_escalate_minutes)
    sent = 0
    for handoff_id in store.unannounced(session, since=since):
        tried = notify_new_handoff(session, handoff_id, config=config, now=lambda: now)
        sent += sum(1 for delivery in tried if delivery.error is None)
    session.rollback()
    return sent
