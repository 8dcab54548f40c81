"""Sending on the WhatsApp Business Cloud API (Meta): settings, the Graph API client, proactive
messages.

Messages go out through the Graph API (``POST {api_url}/{phone_number_id}/messages``), files are
uploaded to ``/media`` first; the message objects are built by outbound/whatsapp_messages.py.
The input channel (bot/channels/whatsapp.py) replies with the same client.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import httpx

from core import settings as core_settings
from core.identity import conversation_id
from core.redact import user_ref
from core.settings import SettingsError, check_secret
from kb.models import utcnow
from outbound import credentials
from outbound.http import ApiClient, PlatformError, json_object, raise_for_error
from outbound.message import Button, DeliveryError, OutboundMessage, TemplateCall
from outbound.progress import run_part
from outbound.whatsapp_common import PAIR_INTERVAL_SECONDS, parse_language_map, within_window
from outbound.whatsapp_messages import button_messages, template_message

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
DEFAULT_API_URL = "https://graph.facebook.com/v21.0"

#: Graph error codes that mean "slow down": throughput, pair rate, Business Use Case limit.
RATE_LIMIT_CODES = frozenset({130429, 131056, 80007})
#: The user's last message is older than 24 hours: only a template may be sent.
OUTSIDE_WINDOW_CODE = 131047
#: Document types Meta accepts do not include text/calendar: the .ics goes as text/plain, and
#: its file name (".ics") is what phones open it by.
UPLOAD_MIME_TYPES = {"text/calendar": "text/plain"}
DEFAULT_TEMPLATE_LANGUAGES = {"fr": "fr", "ar": "ar", "en": "en"}


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
        if credentials.all_empty(values, "access_token", "app_secret"):
            return None
        access_token = check_secret("WHATSAPP_ACCESS_TOKEN", values.get("access_token"))
        app_secret = check_secret("WHATSAPP_APP_SECRET", values.get("app_secret"))
        return cls(
            verify_token=check_secret("WHATSAPP_VERIFY_TOKEN", values.get("verify_token")),
            app_secret=app_secret,
            access_token=access_token,
            phone_number_id=check_secret("WHATSAPP_PHONE_NUMBER_ID", values.get("phone_number_id")),
            api_url=credentials.api_url(values, DEFAULT_API_URL),
        )

    @classmethod
    def from_env(cls) -> WhatsAppSettings | None:
        """The same settings read from the WHATSAPP_* environment variables."""
        return cls.from_values(dataclasses.asdict(core_settings.current().whatsapp))


class GraphError(PlatformError):
    """The Graph API refused the message for good; ``code`` is Meta's error code."""


def raise_for_graph_error(answer: httpx.Response) -> None:
    """Map a failed Graph API answer to RateLimited, TransientError or GraphError."""
    if answer.is_success:
        return
    error = json_object(answer).get("error")
    raise_for_error(
        answer,
        error if isinstance(error, dict) else {},
        platform="Graph API",
        refused=GraphError,
        rate_limit_codes=RATE_LIMIT_CODES,
    )


class GraphClient(ApiClient):
    """Sends messages and uploads media for one business phone number."""

    platform = "Graph API"

    def __init__(self, settings: WhatsAppSettings, timeout: float = 10.0) -> None:
        super().__init__(timeout)
        self.settings = settings

    def _authentication(self) -> dict[str, Any]:
        return {"headers": {"Authorization": f"Bearer {self.settings.access_token}"}}

    def check(self, answer: httpx.Response) -> None:
        """Map a failed answer to RateLimited, TransientError or GraphError."""
        raise_for_graph_error(answer)

    def _url(self, path: str) -> str:
        return f"{self.settings.api_url}/{self.settings.phone_number_id}/{path}"

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST one message object to /messages."""
        return await self._post(self._url("messages"), json=payload)

    async def upload(self, filename: str, content: bytes, mime_type: str) -> str:
        """Upload a file to /media; returns its media id."""
        mime_type = UPLOAD_MIME_TYPES.get(mime_type, mime_type)
        body = await self._post(
            self._url("media"),
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, content, mime_type)},
        )
        media_id = body.get("id")
        if not media_id:
            raise GraphError(f"media upload of {filename} returned no id")
        return str(media_id)


def button_dicts(buttons: Sequence[Button]) -> list[dict[str, str]]:
    """Outbound buttons in Rasa's shape ({"title", "payload"})."""
    return [{"title": button.title, "payload": button.payload} for button in buttons]


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
        env = core_settings.current().whatsapp
        return cls(
            GraphClient(settings),
            template_name=env.template_name,
            template_languages=parse_language_map(
                env.template_languages, DEFAULT_TEMPLATE_LANGUAGES
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
        """Deliver ``message`` (skipping the parts ``message.progress`` says were delivered);
        raises RateLimited, TransientError or DeliveryError."""
        progress = message.progress
        if within_window(message.last_inbound_at, self._now()):
            try:
                for payload in button_messages(
                    message.recipient, message.text, button_dicts(message.buttons)
                ):
                    await run_part(progress, partial(self.graph.send, payload))
                return
            except GraphError as exc:
                if exc.code != OUTSIDE_WINDOW_CODE:
                    raise
                logger.info(
                    "%s: outside the 24-hour window after all; using the template",
                    user_ref(conversation_id("whatsapp", message.recipient)),
                )
        await self.graph.send(template_message(message.recipient, self.template_for(message)))

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.graph.close()
