"""Sending WhatsApp messages through Twilio: settings, the REST client, proactive messages.

Messages are created with Twilio's Messages resource, replies in a conversation (the input
channel, bot/channels/twilio.py) and proactive ones alike. Plain WhatsApp on Twilio has no
buttons without content templates, so buttons are numbered in the text.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import httpx

from core import settings as core_settings
from core.settings import SettingsError, check_secret
from kb.models import utcnow
from outbound import credentials
from outbound.http import ApiClient, PlatformError, json_object, raise_for_error
from outbound.message import DeliveryError, OutboundMessage
from outbound.progress import run_part
from outbound.text import split_text
from outbound.whatsapp_common import (
    PAIR_INTERVAL_SECONDS,
    numbered_list,
    parse_language_map,
    within_window,
)

CHANNEL = "twilio_whatsapp"
DEFAULT_API_URL = "https://api.twilio.com"
#: Twilio's limit for a WhatsApp message body.
BODY_LIMIT = 1600
PREFIX = "whatsapp:"
#: Twilio content template SIDs start with this.
CONTENT_SID_PREFIX = "HX"


@dataclass(frozen=True)
class TwilioSettings:
    """A Twilio account and its WhatsApp sender."""

    account_sid: str
    auth_token: str
    whatsapp_number: str  # "+14155238886" (the "whatsapp:" prefix is added when sending)
    webhook_url: str = ""  # the public URL Twilio calls; empty: the request's own URL
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> TwilioSettings | None:
        """Settings from credentials.yml keys; None (channel off) when the account SID and the
        auth token are both empty; SettingsError when one is missing or a placeholder."""
        if credentials.all_empty(values, "account_sid", "auth_token"):
            return None
        account_sid = check_secret("TWILIO_ACCOUNT_SID", values.get("account_sid"))
        auth_token = check_secret("TWILIO_AUTH_TOKEN", values.get("auth_token"))
        number = check_secret("TWILIO_WHATSAPP_NUMBER", values.get("whatsapp_number"))
        return cls(
            account_sid=account_sid,
            auth_token=auth_token,
            whatsapp_number=number.removeprefix(PREFIX),
            webhook_url=credentials.text(values, "webhook_url"),
            api_url=credentials.api_url(values, DEFAULT_API_URL),
        )

    @classmethod
    def from_env(cls) -> TwilioSettings | None:
        """The same settings read from the TWILIO_* environment variables."""
        return cls.from_values(dataclasses.asdict(core_settings.current().twilio))


class TwilioError(PlatformError):
    """Twilio refused the message for good; ``code`` is Twilio's error code."""


def raise_for_twilio_error(answer: httpx.Response) -> None:
    """Map a failed REST answer to RateLimited, TransientError or TwilioError."""
    if not answer.is_success:
        raise_for_error(answer, json_object(answer), platform="Twilio", refused=TwilioError)


class TwilioClient(ApiClient):
    """Creates WhatsApp messages with Twilio's Messages resource."""

    platform = "Twilio"

    def __init__(self, settings: TwilioSettings, timeout: float = 10.0) -> None:
        super().__init__(timeout)
        self.settings = settings

    def _authentication(self) -> dict[str, Any]:
        return {"auth": (self.settings.account_sid, self.settings.auth_token)}

    def check(self, answer: httpx.Response) -> None:
        """Map a failed answer to RateLimited, TransientError or TwilioError."""
        raise_for_twilio_error(answer)

    async def send(self, to: str, **fields: str) -> dict[str, Any]:
        """POST one message (Body, MediaUrl, ContentSid, ContentVariables...) to ``to``."""
        url = (
            f"{self.settings.api_url}/2010-04-01/Accounts/{self.settings.account_sid}/Messages.json"
        )
        form = {
            "From": PREFIX + self.settings.whatsapp_number,
            "To": PREFIX + to.removeprefix(PREFIX),
            **fields,
        }
        return await self._post(url, data=form)


def text_bodies(text: str | None, buttons: Sequence[Mapping[str, Any]] = ()) -> list[str]:
    """Message bodies for a text and its buttons (numbered), each at most 1600 characters."""
    return split_text(numbered_list(text, buttons) if buttons else text or "", BODY_LIMIT)


def proactive_text(message: OutboundMessage) -> str:
    """A proactive message's text with its buttons as bullets: they are not in the conversation,
    so a number could not be mapped back; the user types (or copies) the words instead."""
    bullets = "\n".join(f"• {button.title}" for button in message.buttons)
    return f"{message.text.strip()}\n\n{bullets}" if bullets else message.text


class TwilioNotifier:
    """Proactive messages through Twilio.

    Within 24 hours of the user's last message: the text, its buttons as bullets. Later (or when
    that time is unknown): the message's own template when its name is a Twilio content SID
    (``HX...``), its parameters the variables; else TWILIO_CONTENT_SID (one SID, or per language
    ``fr=HX...,ar=HX...,en=HX...``) with the text as variable ``1`` (a Meta template name means
    nothing to Twilio).
    """

    channel = CHANNEL
    #: Twilio's default WhatsApp throughput per sender (messages per second).
    max_rate_per_second = 80.0
    #: WhatsApp's pair rate limit (one message every 6 s to the same user) applies here too.
    per_recipient_interval = PAIR_INTERVAL_SECONDS

    def __init__(
        self,
        client: TwilioClient,
        content_sids: Mapping[str, str] | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.client = client
        self.content_sids = dict(content_sids or {})
        self._now = now

    @classmethod
    def from_env(cls) -> TwilioNotifier:
        """A notifier from the TWILIO_* environment; SettingsError when the channel is off."""
        settings = TwilioSettings.from_env()
        if settings is None:
            raise SettingsError("TWILIO_ACCOUNT_SID is not set (see .env.example)")
        sids = parse_language_map(core_settings.current().twilio.content_sid, {})
        return cls(TwilioClient(settings), content_sids=sids)

    def _template_fields(self, message: OutboundMessage) -> dict[str, str]:
        template = message.template
        if template is not None and template.name.startswith(CONTENT_SID_PREFIX):
            sid, values = template.name, template.parameters
        else:  # no template, or a Meta template name, which Twilio does not know
            sid, values = self.content_sids.get(message.language, ""), (message.text,)
        if not sid:
            raise DeliveryError(
                f"{message.recipient}: last message over 24 h ago and no TWILIO_CONTENT_SID"
            )
        variables = {str(i): value for i, value in enumerate(values, start=1)}
        return {"ContentSid": sid, "ContentVariables": json.dumps(variables, ensure_ascii=False)}

    async def send(self, message: OutboundMessage) -> None:
        """Deliver ``message`` (skipping the parts ``message.progress`` says were delivered);
        raises RateLimited, TransientError or DeliveryError."""
        progress = message.progress
        if not within_window(message.last_inbound_at, self._now()):
            await self.client.send(message.recipient, **self._template_fields(message))
            return
        for body in split_text(proactive_text(message), BODY_LIMIT):
            await run_part(progress, partial(self.client.send, message.recipient, Body=body))

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.client.close()
