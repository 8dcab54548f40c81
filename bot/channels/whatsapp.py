"""WhatsApp Business Cloud API (Meta): the input channel and its replies.

Meta calls ``GET /webhooks/whatsapp/webhook`` once to verify the URL (``hub.verify_token``), then
POSTs every message and delivery status there, signed with ``X-Hub-Signature-256`` (HMAC-SHA256
of the raw body with the app secret). The webhook checks the signature, stores the messages
(a redelivery is stored once), answers 200 (503 when they could not be stored: Meta calls
again) and hands each message to Rasa in the background, one after the other per user
(bot/channels/webhook.py, base.py). Replies go out through the Graph API (outbound/whatsapp.py):
texts, buttons as interactive reply buttons (up to 3) or a list (4 to 10), more as a numbered text,
images by link, the .ics calendar of an event as an uploaded document.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.base import Handler, agent_of
from bot.channels.output import RetryingOutput
from bot.channels.webhook import WebhookChannel, WebhookMessage
from core.redact import user_ref
from outbound.message import DeliveryError, RateLimited, TransientError
from outbound.progress import run_part
from outbound.whatsapp import CHANNEL, GraphClient, WhatsAppSettings
from outbound.whatsapp_messages import (
    button_messages,
    document_message,
    image_message,
    text_messages,
)

logger = logging.getLogger(__name__)

#: Message types that are not the user talking (e.g. "changed their number"): no reply.
IGNORED_TYPES = frozenset({"system"})


class WhatsAppOutput(RetryingOutput):
    """Sends Rasa's replies to one user through the Graph API (retries: RetryingOutput)."""

    platform = "WhatsApp"

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph

    async def _deliver(self, payload: dict[str, Any]) -> None:
        to, kind = str(payload.get("to")), str(payload.get("type"))
        await run_part(
            self.progress, partial(self._send, to, kind, partial(self.graph.send, payload))
        )

    async def _deliver_all(self, payloads: list[dict[str, Any]]) -> None:
        for payload in payloads:
            await self._deliver(payload)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, split at 4096 characters."""
        await self._deliver_all(text_messages(recipient_id, text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send text with buttons (interactive buttons, a list, or a numbered text)."""
        await self._deliver_all(button_messages(recipient_id, text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image by its URL."""
        await self._deliver(image_message(recipient_id, image))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Send a file payload (``{"type": "ics", "filename", "mime_type", "content"}``, or with
        a ``link``/``url``) as a document; other custom payloads are not shown on WhatsApp."""
        filename = str(json_message.get("filename") or "file")
        link = json_message.get("link") or json_message.get("url")
        content = json_message.get("content")
        if link:
            await self._deliver(document_message(recipient_id, filename=filename, link=str(link)))
            return
        if not isinstance(content, str):
            logger.info(
                "custom payload without a file is not shown on WhatsApp: %s", sorted(json_message)
            )
            return
        mime_type = str(json_message.get("mime_type") or "application/octet-stream")

        async def upload_and_send() -> bool:
            try:
                media_id = await self.graph.upload(filename, content.encode("utf-8"), mime_type)
            except (DeliveryError, RateLimited, TransientError) as exc:
                logger.error("WhatsApp upload of %s failed: %s", filename, exc)
                return False
            document = document_message(recipient_id, filename=filename, media_id=media_id)
            return await self._send(recipient_id, "document", partial(self.graph.send, document))

        await run_part(self.progress, upload_and_send)


# --- reading the webhook -------------------------------------------------------------------------


def valid_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is ``sha256=`` + the HMAC-SHA256 of the raw body with the secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :].strip().lower())


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _values(body: Mapping[str, Any], phone_number_id: str) -> list[dict[str, Any]]:
    """The ``value`` objects of the webhook's ``messages`` changes for our phone number."""
    values = []
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict) or change.get("field", "messages") != "messages":
                continue
            number = (value.get("metadata") or {}).get("phone_number_id")
            if number and str(number) != phone_number_id:
                logger.info("webhook for another phone number (%s) ignored", number)
                continue
            values.append(value)
    return values


def _text_of(message: Mapping[str, Any]) -> str | None:
    """What Rasa receives for a message: the text, or a reply's id (the button payload)."""
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body") or "")
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get(str(interactive.get("type")))
        if interactive.get("type") in ("button_reply", "list_reply") and isinstance(reply, dict):
            return str(reply.get("id") or reply.get("title") or "")
        return None
    if kind == "button":  # a quick-reply button of a template message
        button = message.get("button") or {}
        return str(button.get("payload") or button.get("text") or "")
    return None


def parse_messages(body: Mapping[str, Any], phone_number_id: str) -> list[WebhookMessage]:
    """The user messages of a webhook body (statuses and malformed items are left out)."""
    found = []
    for value in _values(body, phone_number_id):
        for message in _dicts(value.get("messages")):
            sender, message_id = message.get("from"), message.get("id")
            kind = str(message.get("type") or "unknown")
            if not sender or not message_id or kind in IGNORED_TYPES:
                continue
            text = _text_of(message)
            found.append(WebhookMessage(str(sender), str(message_id), text, kind == "text"))
    return found


def failed_statuses(body: Mapping[str, Any], phone_number_id: str) -> list[dict[str, Any]]:
    """Delivery statuses of messages WhatsApp could not deliver."""
    return [
        status
        for value in _values(body, phone_number_id)
        for status in _dicts(value.get("statuses"))
        if status.get("status") == "failed"
    ]


class WhatsAppInput(WebhookChannel[WhatsAppSettings]):
    """WhatsApp Business Cloud API webhook: ``/webhooks/whatsapp/webhook``."""

    title = "WhatsApp"
    secret_names = ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET")

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def read_settings(cls, credentials: Mapping[str, Any]) -> WhatsAppSettings | None:
        """The Cloud API settings of credentials.yml's section; None when off."""
        return WhatsAppSettings.from_values(credentials)

    def __init__(self, settings: WhatsAppSettings | None) -> None:
        super().__init__(settings)
        self.graph = GraphClient(settings) if settings else None

    def output(self) -> WhatsAppOutput:
        """Replies through the Graph API."""
        assert self.graph is not None
        return WhatsAppOutput(self.graph)

    def routes(self) -> list[tuple[str, str, Handler]]:
        """GET /webhook (Meta's verification) and POST /webhook (messages and statuses)."""
        return [("/webhook", "GET", self._verify), ("/webhook", "POST", self._receive)]

    async def close(self) -> None:
        """Close the Graph API connections."""
        if self.graph:
            await self.graph.close()

    async def _verify(self, request: Request) -> HTTPResponse:
        assert self.settings is not None
        token = str(request.args.get("hub.verify_token") or "")
        if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode("utf-8"), self.settings.verify_token.encode("utf-8")
        ):
            return response.text(str(request.args.get("hub.challenge") or ""))
        logger.warning("WhatsApp webhook verification refused (wrong hub.verify_token)")
        return response.text("forbidden", status=403)

    async def _receive(self, request: Request) -> HTTPResponse:
        assert self.settings is not None
        signature = request.headers.get("X-Hub-Signature-256")
        if not valid_signature(self.settings.app_secret, request.body or b"", signature):
            logger.warning("WhatsApp webhook call with a missing or wrong signature refused")
            return response.text("forbidden", status=403)
        try:
            body = json.loads(request.body or b"")
        except ValueError:
            return response.text("malformed JSON", status=400)
        if not isinstance(body, dict):
            return response.text("malformed webhook body", status=400)
        for status in failed_statuses(body, self.settings.phone_number_id):
            logger.warning(
                "WhatsApp could not deliver %s to %s: %s",
                status.get("id"),
                user_ref(status.get("recipient_id")),
                status.get("errors"),
            )
        messages = parse_messages(body, self.settings.phone_number_id)
        refused = await self.accept(messages, agent_of(request.app))
        return refused or response.text("ok")
