"""WhatsApp Business Cloud API (Meta): the input channel, its replies and proactive messages.

Meta calls ``GET /webhooks/whatsapp/webhook`` once to verify the URL (``hub.verify_token``), then
POSTs every message and delivery status there, signed with ``X-Hub-Signature-256`` (HMAC-SHA256
of the raw body with the app secret). The webhook checks the signature, drops redeliveries
(bot/inbound.py), answers 200 at once and hands each message to Rasa in the background, one
after the other per user (bot/whatsapp_common.SenderQueue). Replies go out through the Graph API
(``POST {api_url}/{phone_number_id}/messages``): texts, buttons as interactive reply buttons (up
to 3) or a list (4 to 10), more as a numbered text, images by link, the .ics calendar of an event
as an uploaded document.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import httpx
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.choices import resolve_choice
from bot.channels.inbound import record_inbound
from bot.channels.texts import user_language
from bot.channels.whatsapp_common import (
    PAIR_INTERVAL_SECONDS,
    SenderQueue,
    button_dicts,
    numbered_list,
    parse_language_map,
    unsupported_reply,
    within_window,
)
from core import settings as core_settings
from core.settings import SettingsError, check_secret
from kb.models import utcnow
from outbound.message import (
    DeliveryError,
    OutboundMessage,
    RateLimited,
    TemplateCall,
    TransientError,
)
from outbound.text import split_text, truncate

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
DEFAULT_API_URL = "https://graph.facebook.com/v21.0"

# Limits of the Cloud API's message objects.
TEXT_LIMIT = 4096
BUTTONS_BODY_LIMIT = 1024
LIST_BODY_LIMIT = 4096
REPLY_BUTTONS_MAX = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
LIST_ROWS_MAX = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
TEMPLATE_PARAMETER_LIMIT = 1000

#: Graph error codes that mean "slow down": throughput, pair rate, Business Use Case limit.
RATE_LIMIT_CODES = frozenset({130429, 131056, 80007})
#: The user's last message is older than 24 hours: only a template may be sent.
OUTSIDE_WINDOW_CODE = 131047
#: Message types that are not the user talking (e.g. "changed their number"): no reply.
IGNORED_TYPES = frozenset({"system"})
#: Document types Meta accepts do not include text/calendar: the .ics goes as text/plain, and
#: its file name (".ics") is what phones open it by.
UPLOAD_MIME_TYPES = {"text/calendar": "text/plain"}
DEFAULT_TEMPLATE_LANGUAGES = {"fr": "fr", "ar": "ar", "en": "en"}


# --- settings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatsAppSettings:
    """Credentials of one WhatsApp business phone number on the Cloud API."""

    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> WhatsAppSettings | None:
        """Settings from credentials.yml keys; None (channel off) when the access token and the
        app secret are both empty; SettingsError when one is missing or a placeholder."""
        if (
            not str(values.get("access_token") or "").strip()
            and not str(values.get("app_secret") or "").strip()
        ):
            return None
        access_token = check_secret("WHATSAPP_ACCESS_TOKEN", values.get("access_token"))
        app_secret = check_secret("WHATSAPP_APP_SECRET", values.get("app_secret"))
        return cls(
            verify_token=check_secret("WHATSAPP_VERIFY_TOKEN", values.get("verify_token")),
            app_secret=app_secret,
            access_token=access_token,
            phone_number_id=check_secret("WHATSAPP_PHONE_NUMBER_ID", values.get("phone_number_id")),
            api_url=(str(values.get("api_url") or "").strip() or DEFAULT_API_URL).rstrip("/"),
        )

    @classmethod
    def from_env(cls) -> WhatsAppSettings | None:
        """The same settings read from the WHATSAPP_* environment variables."""
        return cls.from_values(dataclasses.asdict(core_settings.current().whatsapp))


# --- the Graph API -------------------------------------------------------------------------------


class GraphError(DeliveryError):
    """The Graph API refused the message for good; ``code`` is Meta's error code."""

    def __init__(self, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.code = code


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def raise_for_graph_error(response: httpx.Response) -> None:
    """Map a failed Graph API answer to RateLimited, TransientError or GraphError."""
    if response.is_success:
        return
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    detail = f"Graph API {response.status_code} (code {code}): {error.get('message', '')}"
    if response.status_code == 429 or code in RATE_LIMIT_CODES:
        raise RateLimited(_retry_after(response), detail)
    if response.status_code >= 500:
        raise TransientError(detail)
    raise GraphError(detail, code)


class GraphClient:
    """Sends messages and uploads media for one business phone number."""

    def __init__(self, settings: WhatsAppSettings, timeout: float = 10.0) -> None:
        self.settings = settings
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            self._http = httpx.AsyncClient(
                timeout=self._timeout,
                headers={"Authorization": f"Bearer {self.settings.access_token}"},
            )
        return self._http

    async def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{self.settings.api_url}/{self.settings.phone_number_id}/{path}"
        try:
            answer = await self._client().post(url, **kwargs)
        except httpx.TransportError as exc:
            raise TransientError(f"Graph API unreachable: {exc!r}") from exc
        raise_for_graph_error(answer)
        try:
            body = answer.json()
        except ValueError:
            body = {}
        return body if isinstance(body, dict) else {}

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST one message object to /messages."""
        return await self._post("messages", json=payload)

    async def upload(self, filename: str, content: bytes, mime_type: str) -> str:
        """Upload a file to /media; returns its media id."""
        mime_type = UPLOAD_MIME_TYPES.get(mime_type, mime_type)
        body = await self._post(
            "media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, content, mime_type)},
        )
        media_id = body.get("id")
        if not media_id:
            raise GraphError(f"media upload of {filename} returned no id")
        return str(media_id)

    async def close(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            await self._http.aclose()


# --- message objects -----------------------------------------------------------------------------


def _message(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }


def text_messages(to: str, text: str) -> list[dict[str, Any]]:
    """Text messages of at most 4096 characters; links get a preview."""
    return [
        _message(to, "text", {"body": part, "preview_url": "https://" in part})
        for part in split_text(text, TEXT_LIMIT)
    ]


def _ids_fit(buttons: Sequence[Mapping[str, Any]], limit: int) -> bool:
    ids = [str(b.get("payload") or "") for b in buttons]
    return all(0 < len(i) <= limit for i in ids) and len(set(ids)) == len(ids)


def _reply_buttons(body: str, buttons: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    titles = [truncate(str(b.get("title") or b["payload"]), BUTTON_TITLE_LIMIT) for b in buttons]
    if len(set(titles)) != len(titles) or not _ids_fit(buttons, BUTTON_ID_LIMIT):
        return None
    return {
        "type": "button",
        "body": {"text": body},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": str(b["payload"]), "title": title}}
                for b, title in zip(buttons, titles, strict=True)
            ]
        },
    }


def _row(button: Mapping[str, Any]) -> dict[str, str]:
    title = " ".join(str(button.get("title") or button.get("payload")).split())
    row = {"id": str(button["payload"]), "title": truncate(title, ROW_TITLE_LIMIT)}
    if len(title) > ROW_TITLE_LIMIT:
        row["description"] = truncate(title, ROW_DESCRIPTION_LIMIT)
    return row


def _list(body: str, buttons: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    if not _ids_fit(buttons, ROW_ID_LIMIT):
        return None
    label = "الخيارات" if any("\u0600" <= c <= "\u06ff" for c in body) else "Options"
    return {
        "type": "list",
        "body": {"text": body},
        "action": {"button": label, "sections": [{"rows": [_row(b) for b in buttons]}]},
    }


def _with_body(
    to: str, text: str, limit: int, build: Callable[[str], dict[str, Any] | None]
) -> list[dict[str, Any]] | None:
    """Leading text messages, then the interactive message whose body is the text's end."""
    parts = split_text(text, limit) or ["👇"]
    interactive = build(parts[-1])
    if interactive is None:
        return None
    leading = text_messages(to, "\n".join(parts[:-1])) if len(parts) > 1 else []
    return [*leading, _message(to, "interactive", interactive)]


def button_messages(
    to: str, text: str | None, buttons: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Messages offering ``buttons``: reply buttons (up to 3), a list (up to 10), else (or when a
    payload is too long to be an id) the titles numbered in the text, answered by number."""
    text = text or ""
    buttons = [
        {**b, "payload": b.get("payload") or b.get("title")}
        for b in buttons
        if b.get("payload") or b.get("title")
    ]
    if not buttons:
        return text_messages(to, text)
    messages = None
    if len(buttons) <= REPLY_BUTTONS_MAX:
        build = partial(_reply_buttons, buttons=buttons)
        messages = _with_body(to, text, BUTTONS_BODY_LIMIT, build)
    if messages is None and len(buttons) <= LIST_ROWS_MAX:
        messages = _with_body(to, text, LIST_BODY_LIMIT, partial(_list, buttons=buttons))
    return messages or text_messages(to, numbered_list(text, buttons))


def image_message(to: str, link: str) -> dict[str, Any]:
    """An image sent by link."""
    return _message(to, "image", {"link": link})


def document_message(
    to: str, *, filename: str, media_id: str = "", link: str = ""
) -> dict[str, Any]:
    """A document, uploaded (media id) or by link."""
    content = {"id": media_id} if media_id else {"link": link}
    return _message(to, "document", {**content, "filename": filename})


def template_parameter(text: str) -> str:
    """A template body parameter: no new lines, tabs or runs of spaces (Meta refuses them)."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return truncate(" · ".join(line for line in lines if line), TEMPLATE_PARAMETER_LIMIT)


def template_message(to: str, template: TemplateCall) -> dict[str, Any]:
    """A pre-approved template, its body parameters filled in order."""
    content: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.parameters:
        content["components"] = [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": template_parameter(p)} for p in template.parameters
                ],
            }
        ]
    return _message(to, "template", content)


# --- replies in a conversation -------------------------------------------------------------------


class WhatsAppOutput(OutputChannel):
    """Sends Rasa's replies to one user through the Graph API.

    A rate limit or server error is retried twice; a refused message is logged, and the
    following replies are still sent.
    """

    #: Seconds before the first retry (doubled each time), unless the API says Retry-After.
    retry_delay = 1.0
    max_retry_wait = 10.0

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph

    async def _deliver(self, payload: dict[str, Any]) -> bool:
        for attempt in range(3):
            try:
                await self.graph.send(payload)
                return True
            except (RateLimited, TransientError) as exc:
                wait = getattr(exc, "retry_after", None)
                wait = self.retry_delay * 2**attempt if wait is None else wait
                logger.warning("WhatsApp send to %s failed (%s)", payload.get("to"), exc)
                if attempt < 2:
                    await asyncio.sleep(min(wait, self.max_retry_wait))
            except DeliveryError as exc:
                logger.error(
                    "WhatsApp refused a %s to %s: %s", payload.get("type"), payload.get("to"), exc
                )
                return False
        logger.error("WhatsApp send to %s failed after retries", payload.get("to"))
        return False

    async def _deliver_all(self, payloads: Sequence[dict[str, Any]]) -> None:
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
        try:
            media_id = await self.graph.upload(filename, content.encode("utf-8"), mime_type)
        except (DeliveryError, RateLimited, TransientError) as exc:
            logger.error("WhatsApp upload of %s failed: %s", filename, exc)
            return
        await self._deliver(document_message(recipient_id, filename=filename, media_id=media_id))


# --- the webhook ---------------------------------------------------------------------------------


def valid_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is ``sha256=`` + the HMAC-SHA256 of the raw body with the secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :].strip().lower())


@dataclass(frozen=True)
class Incoming:
    """One user message of a webhook call: text for Rasa, or a type we cannot read."""

    sender: str
    message_id: str
    text: str | None  # None: unsupported (image, audio, location, ...)
    kind: str  # the WhatsApp message type


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


def parse_messages(body: Mapping[str, Any], phone_number_id: str) -> list[Incoming]:
    """The user messages of a webhook body (statuses and malformed items are left out)."""
    found = []
    for value in _values(body, phone_number_id):
        for message in _dicts(value.get("messages")):
            sender, message_id = message.get("from"), message.get("id")
            kind = str(message.get("type") or "unknown")
            if not sender or not message_id or kind in IGNORED_TYPES:
                continue
            found.append(Incoming(str(sender), str(message_id), _text_of(message), kind))
    return found


def failed_statuses(body: Mapping[str, Any], phone_number_id: str) -> list[dict[str, Any]]:
    """Delivery statuses of messages WhatsApp could not deliver."""
    return [
        status
        for value in _values(body, phone_number_id)
        for status in _dicts(value.get("statuses"))
        if status.get("status") == "failed"
    ]


class WhatsAppInput(InputChannel):
    """WhatsApp Business Cloud API webhook: ``/webhooks/whatsapp/webhook``."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if credentials is None:
            cls.raise_missing_credentials_exception()
        settings = WhatsAppSettings.from_values(credentials or {})
        if settings is None:
            logger.warning(
                "WhatsApp channel off: WHATSAPP_ACCESS_TOKEN and WHATSAPP_APP_SECRET are empty"
            )
        return cls(settings)

    def __init__(self, settings: WhatsAppSettings | None) -> None:
        self.settings = settings
        self.graph = GraphClient(settings) if settings else None
        self.queue = SenderQueue()

    def get_output_channel(self) -> OutputChannel | None:
        return WhatsAppOutput(self.graph) if self.graph else None

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every message received so far is handled (tests, shutdown)."""
        return await self.queue.drain(timeout)

    async def _handle(
        self,
        incoming: Incoming,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
    ) -> None:
        assert self.graph is not None
        output = WhatsAppOutput(self.graph)
        if incoming.text is None:
            language = await user_language(agent, CHANNEL, incoming.sender)
            await output.send_text_message(incoming.sender, unsupported_reply(language))
            return
        text = incoming.text
        if incoming.kind == "text":
            text = await resolve_choice(agent, incoming.sender, text)
        await on_new_message(
            UserMessage(
                text,
                output,
                incoming.sender,
                input_channel=CHANNEL,
                message_id=incoming.message_id,
            )
        )

    def _verify(self, request: Request) -> HTTPResponse:
        assert self.settings is not None
        token = str(request.args.get("hub.verify_token") or "")
        if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode("utf-8"), self.settings.verify_token.encode("utf-8")
        ):
            return response.text(str(request.args.get("hub.challenge") or ""))
        logger.warning("WhatsApp webhook verification refused (wrong hub.verify_token)")
        return response.text("forbidden", status=403)

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
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
                status.get("recipient_id"),
                status.get("errors"),
            )
        agent = getattr(request.app.ctx, "agent", None)
        for incoming in parse_messages(body, self.settings.phone_number_id):
            if await record_inbound(CHANNEL, incoming.message_id, incoming.sender):
                self.queue.schedule(
                    incoming.sender, partial(self._handle, incoming, on_new_message, agent)
                )
        return response.text("ok")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings else "off"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.text("WhatsApp channel is not configured", status=503)
            return self._verify(request)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.text("WhatsApp channel is not configured", status=503)
            return await self._receive(request, on_new_message)

        @webhook.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            await self.drain(timeout=10)
            if self.graph:
                await self.graph.close()

        return webhook


# --- proactive messages --------------------------------------------------------------------------


class WhatsAppNotifier:
    """Proactive messages (alerts, reminders) on the Cloud API.

    Within 24 hours of the user's last message: free-form text and buttons. Later (or when that
    time is unknown): the message's template, else WHATSAPP_TEMPLATE_NAME with the text as its
    one body parameter, in the language WHATSAPP_TEMPLATE_LANGUAGES maps the reply language to.
    """

    channel = CHANNEL
    #: Cloud API default throughput per business phone number (messages per second).
    max_rate_per_second = 80.0
    #: Meta's pair rate limit: one message every 6 s to the same user (bursts are tolerated).
    per_recipient_interval = PAIR_INTERVAL_SECONDS

    def __init__(
        self,
        graph: GraphClient,
        template_name: str = "",
        template_languages: Mapping[str, str] | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.graph = graph
        self.template_name = template_name
        self.template_languages = dict(template_languages or DEFAULT_TEMPLATE_LANGUAGES)
        self._now = now

    @classmethod
    def from_env(cls) -> WhatsAppNotifier:
        """A notifier from the WHATSAPP_* environment; SettingsError when the channel is off."""
        settings = WhatsAppSettings.from_env()
        if settings is None:
            raise SettingsError("WHATSAPP_ACCESS_TOKEN is not set (see .env.example)")
        return cls(
            GraphClient(settings),
            template_name=core_settings.current().whatsapp.template_name,
            template_languages=parse_language_map(
                core_settings.current().whatsapp.template_languages, DEFAULT_TEMPLATE_LANGUAGES
            ),
        )

    def template_for(self, message: OutboundMessage) -> TemplateCall:
        """The template that carries ``message`` outside the 24-hour window."""
        if message.template is not None:
            return message.template
        if not self.template_name:
            raise DeliveryError(
                f"{message.recipient}: last message over 24 h ago and no WHATSAPP_TEMPLATE_NAME"
            )
        language = self.template_languages.get(message.language, message.language)
        return TemplateCall(self.template_name, language, (message.text,))

    async def send(self, message: OutboundMessage) -> None:
        """Deliver ``message``; raises RateLimited, TransientError or DeliveryError."""
        if within_window(message.last_inbound_at, self._now()):
            try:
                for payload in button_messages(
                    message.recipient, message.text, button_dicts(message.buttons)
                ):
                    await self.graph.send(payload)
                return
            except GraphError as exc:
                if exc.code != OUTSIDE_WINDOW_CODE:
                    raise
                logger.info(
                    "%s: outside the 24-hour window after all; using the template",
                    message.recipient,
                )
        await self.graph.send(template_message(message.recipient, self.template_for(message)))

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.graph.close()
