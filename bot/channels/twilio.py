"""WhatsApp through Twilio: the input channel and its replies.

Twilio POSTs each incoming WhatsApp message as a form to ``/webhooks/twilio_whatsapp/webhook``,
signed with ``X-Twilio-Signature`` (checked with twilio's RequestValidator over the public URL
Twilio called, TWILIO_WEBHOOK_URL behind a proxy). The webhook stores the message (once per
MessageSid), answers an empty TwiML document (503 when it could not be stored: Twilio calls
again) and hands the message to Rasa in the background (bot/channels/webhook.py). Replies
go through Twilio's REST API (outbound/twilio.py): plain WhatsApp on Twilio has no buttons
without content templates, so buttons are numbered in the text and a reply of just the number
is read as that button (bot/channels/choices.py).

Twilio can only send files it can fetch from a public URL: an .ics calendar is sent when its
payload has a ``link``/``url``, and is otherwise left out (the text already has the dates).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from sanic import response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.base import Handler, agent_of
from bot.channels.output import RetryingOutput
from bot.channels.webhook import WebhookChannel, WebhookMessage
from outbound.progress import run_part
from outbound.twilio import CHANNEL, PREFIX, TwilioClient, TwilioSettings, text_bodies

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioWhatsAppOutput(RetryingOutput):
    """Sends Rasa's replies to one user through Twilio (retries: RetryingOutput)."""

    platform = "Twilio"

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, client: TwilioClient) -> None:
        self.client = client

    async def _deliver(self, to: str, **fields: str) -> None:
        send = partial(self._send, to, "message", partial(self.client.send, to, **fields))
        await run_part(self.progress, send)

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


# --- reading the webhook -------------------------------------------------------------------------


def form_parameters(body: bytes) -> RequestParameters:
    """The webhook's form, blank values kept: Twilio signs ``Body=`` of a media-only message,
    which sanic's ``request.form`` drops (and the signature would never match)."""
    text = body.decode("utf-8", errors="replace")
    return RequestParameters(parse_qs(text, keep_blank_values=True))


def parse_form(form: Mapping[str, Any]) -> WebhookMessage | None:
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
        payload = first("ButtonPayload") or first("ButtonText")
        return WebhookMessage(sender, sid, payload, typed=False)
    # No body: media, a location, a contact card... (None: the "text only" notice).
    return WebhookMessage(sender, sid, first("Body") or None)


class TwilioWhatsAppInput(WebhookChannel[TwilioSettings]):
    """Twilio WhatsApp webhook: ``/webhooks/twilio_whatsapp/webhook``."""

    title = "Twilio WhatsApp"
    secret_names = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    numbers_shown = True

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def read_settings(cls, credentials: Mapping[str, Any]) -> TwilioSettings | None:
        """The Twilio settings of credentials.yml's section; None when off."""
        return TwilioSettings.from_values(credentials)

    def __init__(self, settings: TwilioSettings | None) -> None:
        super().__init__(settings)
        self.client = TwilioClient(settings) if settings else None
        self.validator = RequestValidator(settings.auth_token) if settings else None

    def output(self) -> TwilioWhatsAppOutput:
        """Replies through Twilio's REST API."""
        assert self.client is not None
        return TwilioWhatsAppOutput(self.client)

    def routes(self) -> list[tuple[str, str, Handler]]:
        """POST /webhook: Twilio's incoming messages."""
        return [("/webhook", "POST", self._receive)]

    async def close(self) -> None:
        """Close the REST API connections."""
        if self.client:
            await self.client.close()

    def signed(self, request: Request, form: RequestParameters) -> bool:
        """True when X-Twilio-Signature matches the URL Twilio called and the form."""
        assert self.settings is not None and self.validator is not None
        signature = request.headers.get("X-Twilio-Signature")
        if not signature:
            return False
        url = self.settings.webhook_url or request.url
        return bool(self.validator.validate(url, form, signature))

    async def _receive(self, request: Request) -> HTTPResponse:
        form = form_parameters(request.body or b"")
        if not self.signed(request, form):
            logger.warning("Twilio webhook call with a missing or wrong signature refused")
            return response.text("forbidden", status=403)
        message = parse_form(form)
        if message is None:
            logger.info("Twilio webhook call without a WhatsApp message ignored")
            return response.text(EMPTY_TWIML, content_type="text/xml")
        refused = await self.accept([message], agent_of(request.app))
        return refused or response.text(EMPTY_TWIML, content_type="text/xml")
