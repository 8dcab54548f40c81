"""WhatsApp through Twilio: the input channel, its replies and proactive messages.

Twilio POSTs each incoming WhatsApp message as a form to ``/webhooks/twilio_whatsapp/webhook``,
signed with ``X-Twilio-Signature`` (checked with twilio's RequestValidator over the public URL
Twilio called, TWILIO_WEBHOOK_URL behind a proxy). The webhook drops redeliveries (by MessageSid),
answers an empty TwiML document at once and hands the message to Rasa in the background. Replies
go through Twilio's REST API (several messages per turn, and proactive ones): plain WhatsApp on
Twilio has no buttons without content templates, so buttons are numbered in the text and a reply
of just the number is read as that button (bot/choices.py).

Twilio can only send files it can fetch from a public URL: an .ics calendar is sent when its
payload has a ``link``/``url``, and is otherwise left out (the text already has the dates).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qs

import httpx
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.choices import resolve_choice
from bot.channels.inbound import record_inbound
from bot.channels.texts import user_language
from bot.channels.whatsapp_common import (
    PAIR_INTERVAL_SECONDS,
    SenderQueue,
    numbered_list,
    parse_language_map,
    unsupported_reply,
    within_window,
)
from core import settings as core_settings
from core.settings import SettingsError, check_secret
from kb.models import utcnow
from outbound.message import DeliveryError, OutboundMessage, RateLimited, TransientError
from outbound.text import split_text

logger = logging.getLogger(__name__)

CHANNEL = "twilio_whatsapp"
DEFAULT_API_URL = "https://api.twilio.com"
#: Twilio's limit for a WhatsApp message body.
BODY_LIMIT = 1600
PREFIX = "whatsapp:"
#: Twilio content template SIDs start with this.
CONTENT_SID_PREFIX = "HX"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


# --- settings ------------------------------------------------------------------------------------


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
        if (
            not str(values.get("account_sid") or "").strip()
            and not str(values.get("auth_token") or "").strip()
        ):
            return None
        account_sid = check_secret("TWILIO_ACCOUNT_SID", values.get("account_sid"))
        auth_token = check_secret("TWILIO_AUTH_TOKEN", values.get("auth_token"))
        number = check_secret("TWILIO_WHATSAPP_NUMBER", values.get("whatsapp_number"))
        return cls(
            account_sid=account_sid,
            auth_token=auth_token,
            whatsapp_number=number.removeprefix(PREFIX),
            webhook_url=str(values.get("webhook_url") or "").strip(),
            api_url=(str(values.get("api_url") or "").strip() or DEFAULT_API_URL).rstrip("/"),
        )

    @classmethod
    def from_env(cls) -> TwilioSettings | None:
        """The same settings read from the TWILIO_* environment variables."""
        return cls.from_values(dataclasses.asdict(core_settings.current().twilio))


# --- the REST API --------------------------------------------------------------------------------


class TwilioError(DeliveryError):
    """Twilio refused the message for good; ``code`` is Twilio's error code."""

    def __init__(self, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.code = code


def raise_for_twilio_error(answer: httpx.Response) -> None:
    """Map a failed REST answer to RateLimited, TransientError or TwilioError."""
    if answer.is_success:
        return
    try:
        error = answer.json()
    except ValueError:
        error = {}
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    detail = f"Twilio {answer.status_code} (code {code}): {error.get('message', '')}"
    if answer.status_code == 429:
        try:
            retry_after: float | None = float(answer.headers.get("Retry-After", ""))
        except ValueError:
            retry_after = None
        raise RateLimited(retry_after, detail)
    if answer.status_code >= 500:
        raise TransientError(detail)
    raise TwilioError(detail, code)


class TwilioClient:
    """Creates WhatsApp messages with Twilio's Messages resource."""

    def __init__(self, settings: TwilioSettings, timeout: float = 10.0) -> None:
        self.settings = settings
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            self._http = httpx.AsyncClient(
                timeout=self._timeout,
                auth=(self.settings.account_sid, self.settings.auth_token),
            )
        return self._http

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
        try:
            answer = await self._client().post(url, data=form)
        except httpx.TransportError as exc:
            raise TransientError(f"Twilio unreachable: {exc!r}") from exc
        raise_for_twilio_error(answer)
        try:
            body = answer.json()
        except ValueError:
            body = {}
        return body if isinstance(body, dict) else {}

    async def close(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            await self._http.aclose()


def text_bodies(text: str | None, buttons: Sequence[Mapping[str, Any]] = ()) -> list[str]:
    """Message bodies for a text and its buttons (numbered), each at most 1600 characters."""
    return split_text(numbered_list(text, buttons) if buttons else text or "", BODY_LIMIT)


def proactive_text(message: OutboundMessage) -> str:
    """A proactive message's text with its buttons as bullets: they are not in the conversation,
    so a number could not be mapped back; the user types (or copies) the words instead."""
    bullets = "\n".join(f"• {button.title}" for button in message.buttons)
    return f"{message.text.strip()}\n\n{bullets}" if bullets else message.text


# --- replies in a conversation -------------------------------------------------------------------


class TwilioWhatsAppOutput(OutputChannel):
    """Sends Rasa's replies to one user through Twilio; failures are logged, not raised."""

    retry_delay = 1.0
    max_retry_wait = 10.0

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, client: TwilioClient) -> None:
        self.client = client

    async def _deliver(self, to: str, **fields: str) -> bool:
        for attempt in range(3):
            try:
                await self.client.send(to, **fields)
                return True
            except (RateLimited, TransientError) as exc:
                wait = getattr(exc, "retry_after", None)
                wait = self.retry_delay * 2**attempt if wait is None else wait
                logger.warning("Twilio send to %s failed (%s)", to, exc)
                if attempt < 2:
                    await asyncio.sleep(min(wait, self.max_retry_wait))
            except DeliveryError as exc:
                logger.error("Twilio refused a message to %s: %s", to, exc)
                return False
        logger.error("Twilio send to %s failed after retries", to)
        return False

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, split at 1600 characters."""
        for body in text_bodies(text):
            await self._deliver(recipient_id, Body=body)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send text with the buttons numbered; the user answers with the number."""
        for body in text_bodies(text, buttons):
            await self._deliver(recipient_id, Body=body)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image by its URL."""
        await self._deliver(recipient_id, MediaUrl=image)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Send a file payload that has a public ``link``/``url``; others are left out."""
        link = json_message.get("link") or json_message.get("url")
        if link:
            await self._deliver(recipient_id, MediaUrl=str(link))
        else:
            logger.info(
                "custom payload without a public URL not sent over Twilio: %s", sorted(json_message)
            )


# --- the webhook ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TwilioIncoming:
    """One incoming WhatsApp message: text for Rasa, or None for media or a location only."""

    sender: str  # E.164, without the "whatsapp:" prefix
    message_sid: str
    text: str | None
    is_button: bool = False


def form_parameters(body: bytes) -> RequestParameters:
    """The webhook's form, blank values kept: Twilio signs ``Body=`` of a media-only message,
    which sanic's ``request.form`` drops (and the signature would never match)."""
    text = body.decode("utf-8", errors="replace")
    return RequestParameters(parse_qs(text, keep_blank_values=True))


def parse_form(form: Mapping[str, Any]) -> TwilioIncoming | None:
    """The message of a webhook form (sanic's form: each value a list), or None."""

    def first(name: str) -> str:
        value = form.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        return str(value or "").strip()

    sender, sid = first("From"), first("MessageSid") or first("SmsMessageSid")
    if not sender.startswith(PREFIX) or not sid:
        return None
    sender = sender.removeprefix(PREFIX)
    if first("ButtonPayload") or first("ButtonText"):  # a content template's quick reply
        return TwilioIncoming(sender, sid, first("ButtonPayload") or first("ButtonText"), True)
    body = first("Body")
    if body:
        return TwilioIncoming(sender, sid, body)
    return TwilioIncoming(sender, sid, None)  # media, a location, a contact card...


class TwilioWhatsAppInput(InputChannel):
    """Twilio WhatsApp webhook: ``/webhooks/twilio_whatsapp/webhook``."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if credentials is None:
            cls.raise_missing_credentials_exception()
        settings = TwilioSettings.from_values(credentials or {})
        if settings is None:
            logger.warning(
                "Twilio WhatsApp channel off: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are empty"
            )
        return cls(settings)

    def __init__(self, settings: TwilioSettings | None) -> None:
        self.settings = settings
        self.client = TwilioClient(settings) if settings else None
        self.validator = RequestValidator(settings.auth_token) if settings else None
        self.queue = SenderQueue()

    def get_output_channel(self) -> OutputChannel | None:
        return TwilioWhatsAppOutput(self.client) if self.client else None

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every message received so far is handled (tests, shutdown)."""
        return await self.queue.drain(timeout)

    def signed(self, request: Request, form: RequestParameters) -> bool:
        """True when X-Twilio-Signature matches the URL Twilio called and the form."""
        assert self.settings is not None and self.validator is not None
        signature = request.headers.get("X-Twilio-Signature")
        if not signature:
            return False
        url = self.settings.webhook_url or request.url
        return bool(self.validator.validate(url, form, signature))

    async def _handle(
        self,
        incoming: TwilioIncoming,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
    ) -> None:
        assert self.client is not None
        output = TwilioWhatsAppOutput(self.client)
        if incoming.text is None:
            language = await user_language(agent, CHANNEL, incoming.sender)
            await output.send_text_message(incoming.sender, unsupported_reply(language))
            return
        text = incoming.text
        if not incoming.is_button:
            text = await resolve_choice(agent, incoming.sender, text, numbers_shown=True)
        await on_new_message(
            UserMessage(
                text,
                output,
                incoming.sender,
                input_channel=CHANNEL,
                message_id=incoming.message_sid,
            )
        )

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        form = form_parameters(request.body or b"")
        if not self.signed(request, form):
            logger.warning("Twilio webhook call with a missing or wrong signature refused")
            return response.text("forbidden", status=403)
        incoming = parse_form(form)
        if incoming is None:
            logger.info("Twilio webhook call without a WhatsApp message ignored")
        elif await record_inbound(CHANNEL, incoming.message_sid, incoming.sender):
            agent = getattr(request.app.ctx, "agent", None)
            self.queue.schedule(
                incoming.sender, partial(self._handle, incoming, on_new_message, agent)
            )
        return response.text(EMPTY_TWIML, content_type="text/xml")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("twilio_whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings else "off"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.text("Twilio WhatsApp channel is not configured", status=503)
            return await self._receive(request, on_new_message)

        @webhook.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            await self.drain(timeout=10)
            if self.client:
                await self.client.close()

        return webhook


# --- proactive messages --------------------------------------------------------------------------


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
        """Deliver ``message``; raises RateLimited, TransientError or DeliveryError."""
        if not within_window(message.last_inbound_at, self._now()):
            await self.client.send(message.recipient, **self._template_fields(message))
            return
        for body in split_text(proactive_text(message), BODY_LIMIT):
            await self.client.send(message.recipient, Body=body)

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.client.close()
