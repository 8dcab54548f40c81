"""What proactive senders (alerts, reminders) hand to a channel, and what a channel raises.

Each platform module (outbound/telegram.py, outbound/whatsapp.py, outbound/twilio.py) provides
a ``Notifier``; outbound/notify/ renders what is due in the user's language and calls
``Notifier.send`` under the platform's rate limits, with retries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from outbound.progress import Progress


@dataclass(frozen=True)
class Button:
    """A button: its label, and the text Rasa receives when it is pressed."""

    title: str
    payload: str


@dataclass(frozen=True)
class TemplateCall:
    """A pre-approved WhatsApp message template, for messages outside the 24-hour window."""

    name: str
    language: str  # the template's language code, e.g. "fr", "ar", "en_US"
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutboundMessage:
    """One proactive message to one user of one channel."""

    recipient: str  # the user's id on the channel (Telegram chat id, WhatsApp number)
    text: str
    language: str  # reply language: fr, ar or en
    buttons: tuple[Button, ...] = ()
    #: When the user last wrote to us; None when unknown (WhatsApp then uses the template).
    last_inbound_at: datetime | None = None
    #: Used instead of ``text`` where the platform requires a template (WhatsApp > 24 h).
    template: TemplateCall | None = None
    key: str = field(default="", compare=False)  # for logs: e.g. "alert:42:7"
    #: The parts delivered by earlier attempts, skipped when the message is sent again.
    progress: Progress | None = field(default=None, compare=False, repr=False)


class DeliveryError(RuntimeError):
    """The platform refused the message for good (blocked bot, unknown chat, bad request)."""


class RateLimited(RuntimeError):
    """The platform answered 429 (or its equivalent); try again after ``retry_after`` s."""

    def __init__(self, retry_after: float | None = None, detail: str = "") -> None:
        super().__init__(detail or f"rate limited (retry after {retry_after} s)")
        self.retry_after = retry_after


class TransientError(RuntimeError):
    """A network error or 5xx: worth retrying with back-off."""


class Notifier(Protocol):
    """Sends proactive messages on one channel."""

    #: The channel name, as in users.channel (the input channel's name()).
    channel: str
    #: Sustained messages per second the platform allows overall.
    max_rate_per_second: float
    #: Minimum seconds between two messages to the same recipient (0 = no limit).
    per_recipient_interval: float

    async def send(self, message: OutboundMessage) -> None:
        """Deliver ``message``; raise RateLimited, TransientError or DeliveryError on failure."""
        ...

    async def close(self) -> None:
        """Release the HTTP client."""
        ...
