"""Delivering what staff say in a live handoff on the member's own channel.

A staff reply is stored first (kb.handoff_live, ``pending``), then sent through the channel's
notifier (outbound.notify's: Telegram; WhatsApp's Cloud API or Twilio, which inside the 24-hour
window send free text and outside it the approved template that carries the reply and invites
the member to reply, WHATSAPP_HANDOFF_TEMPLATE / TWILIO_HANDOFF_CONTENT_SID); the outcome is
recorded on the line. A failed or interrupted send stays ``pending``/``failed`` and is tried
again by ``retry_undelivered`` (the Rasa server's console channel runs it every minute) up to
kb.reply_delivery.MAX_ATTEMPTS. Whoever sends a reply claims it first (kb.reply_delivery.
claim_reply), so two Rasa workers never send the same reply twice. REST has no way to write
back: nothing is sent there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from core import settings as core_settings
from core.identity import conversation_id
from core.redact import user_ref
from kb.access import DatabaseUnavailable, run_db
from kb.handoff_live import LiveHandoff
from kb.models import utcnow
from kb.reply_delivery import (
    claim_reply,
    delivery_status,
    mark_delivery,
    release_reply,
    undelivered,
)
from outbound.message import (
    Button,
    DeliveryError,
    Notifier,
    OutboundMessage,
    RateLimited,
    TemplateCall,
    TransientError,
)
from outbound.notify import close_all, notifiers_from_environment
from outbound.whatsapp import DEFAULT_TEMPLATE_LANGUAGES
from outbound.whatsapp_common import parse_language_map

logger = logging.getLogger(__name__)

#: A pending reply younger than this is left to the request that is sending it.
RETRY_AFTER: Final = timedelta(seconds=30)


@dataclass(frozen=True)
class Sent:
    """What became of one message: ``sent``, ``failed`` (tried again later), ``pending``
    (another sender holds it now) or ``none`` (the channel cannot be written to, or is not
    configured)."""

    status: str
    error: str = ""


def handoff_template(live: LiveHandoff, text: str) -> TemplateCall | None:
    """The approved template that carries ``text`` outside WhatsApp's 24-hour window."""
    env = core_settings.current()
    if live.channel == "whatsapp":
        name = env.whatsapp.handoff_template or env.whatsapp.template_name
        languages = parse_language_map(env.whatsapp.template_languages, DEFAULT_TEMPLATE_LANGUAGES)
        if name:
            return TemplateCall(name, languages.get(live.language, live.language), (text,))
    if live.channel == "twilio_whatsapp":
        sids = parse_language_map(env.twilio.handoff_content_sid or env.twilio.content_sid, {})
        sid = sids.get(live.language) or next(iter(sids.values()), "")
        if sid:
            return TemplateCall(sid, live.language, (text,))
    return None


def message_for(
    live: LiveHandoff, text: str, *, buttons: Sequence[Button] = (), key: str = ""
) -> OutboundMessage:
    """The proactive message carrying ``text`` to the member of ``live``."""
    return OutboundMessage(
        recipient=live.channel_user_id,
        text=text,
        language=live.language,
        buttons=tuple(buttons),
        last_inbound_at=live.last_inbound_at,
        template=handoff_template(live, text),
        key=key or f"handoff:{live.id}",
    )


async def send_to_member(
    live: LiveHandoff,
    text: str,
    *,
    buttons: Sequence[Button] = (),
    notifiers: Mapping[str, Notifier] | None = None,
) -> Sent:
    """Send ``text`` to the member on their channel, once; never raises for the platform."""
    own = notifiers is None
    if notifiers is None:
        try:
            notifiers = notifiers_from_environment()
        except Exception as exc:  # noqa: BLE001 - a settings error: not sent, said so
            return Sent("failed", type(exc).__name__)
    try:
        notifier = notifiers.get(live.channel)
        if notifier is None:
            return Sent("none", "no way to write on this channel")
        try:
            await notifier.send(message_for(live, text, buttons=buttons))
        except (DeliveryError, RateLimited, TransientError) as exc:
            return Sent("failed", type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - a bug or an unexpected error: retried later
            logger.exception("handoff %d: sending failed", live.id)
            return Sent("failed", type(exc).__name__)
        return Sent("sent")
    finally:
        if own:
            await close_all(notifiers)


async def deliver_reply(line_id: int, *, notifiers: Mapping[str, Notifier] | None = None) -> Sent:
    """Send the staff reply ``line_id`` if it is not delivered yet, and record the outcome."""
    found = await run_db(claim_reply, line_id=line_id)
    if found is None:
        # Delivered already, given up, or being sent by another worker right now.
        status = await run_db(delivery_status, line_id=line_id)
        return Sent("sent") if status == "sent" else Sent("pending", "held by another sender")
    live, text = found
    sent = await send_to_member(live, text, notifiers=notifiers)
    if sent.status == "none":
        await run_db(release_reply, line_id=line_id)
    else:
        await run_db(mark_delivery, line_id=line_id, sent=sent.status == "sent", error=sent.error)
    who = user_ref(conversation_id(live.channel, live.channel_user_id))
    logger.info("handoff %d: reply %d to %s %s %s", live.id, line_id, who, sent.status, sent.error)
    return sent


async def retry_undelivered(*, notifiers: Mapping[str, Notifier] | None = None) -> int:
    """Try again every staff reply not delivered yet; how many are delivered now."""
    try:
        lines = await run_db(undelivered, older_than=utcnow() - RETRY_AFTER)
    except DatabaseUnavailable:
        return 0
    delivered = 0
    for line_id in lines:
        try:
            sent = await deliver_reply(line_id, notifiers=notifiers)
        except DatabaseUnavailable:
            return delivered
        delivered += sent.status == "sent"
    return delivered
