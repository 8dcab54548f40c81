"""What the two WhatsApp channels (Meta's Cloud API, Twilio) share: a webhook that stores the
messages it carries, answers the platform at once, and answers each message in the background.

The webhook answers 200 only once its messages are stored (``accept``); when the database
cannot store them it answers 503, and Meta or Twilio call it again later. A stored message is
text for Rasa (a typed choice becomes the payload of the button it names,
bot/channels/choices.py), a button's payload, or something the assistant cannot read (the
polite "text only" notice, in the user's language).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, TypeVar

from sanic import response
from sanic.response import HTTPResponse

from bot.channels.base import ChannelInput, unsupported_reply
from bot.channels.choices import resolve_choice
from bot.channels.inbound import Claimed, DatabaseUnavailable, Received
from bot.channels.output import PlatformOutput
from bot.channels.texts import localized_text, user_language
from bot.channels.turns import Reply
from core.identity import conversation_id

logger = logging.getLogger(__name__)

S = TypeVar("S")


@dataclass(frozen=True)
class WebhookMessage:
    """One user message of a webhook call: text for Rasa, or a type we cannot read."""

    sender: str
    message_id: str
    text: str | None  # None: unsupported (image, audio, location, ...)
    typed: bool = True  # False: a button's payload, never read as a typed choice

    def received(self) -> Received:
        """The message as it is stored until answered."""
        return Received(self.message_id, self.sender, {"text": self.text, "typed": self.typed})


#: The longest platform user id kept (users.channel_user_id, inbound_messages.channel_user_id).
MAX_SENDER: Final = 100


def storable(message: WebhookMessage) -> bool:
    """A message from a platform user id the database can keep (Meta and Twilio send phone
    numbers; anything else in a signed call is dropped, with nothing to answer)."""
    return 0 < len(message.sender) <= MAX_SENDER and "\x00" not in message.sender


def unavailable() -> HTTPResponse:
    """The answer when the messages could not be stored: the platform sends them again."""
    return response.text("temporarily unavailable", status=503, headers={"Retry-After": "5"})


class WebhookChannel(ChannelInput[S]):
    """A channel whose platform posts messages to a webhook and retries until it gets a 2xx."""

    async def accept(self, messages: Sequence[WebhookMessage], agent: Any) -> HTTPResponse | None:
        """Store the messages and answer them in the background; the 503 to answer when they
        could not be stored, else None."""
        messages = [m for m in messages if storable(m)]
        if not messages:
            return None
        try:
            await self.receive_messages([m.received() for m in messages], agent)
        except DatabaseUnavailable:
            logger.warning("%s: %d message(s) not stored; 503", self.title, len(messages))
            return unavailable()
        return None

    async def answer(self, claimed: Claimed, agent: Any) -> None:
        """The notice for what we cannot read; else the text (or the choice it names) to Rasa."""
        payload = claimed.payload
        text = payload.get("text")
        message = WebhookMessage(
            claimed.channel_user_id,
            claimed.external_id,
            text if isinstance(text, str) else None,
            bool(payload.get("typed", True)),
        )
        await self.reply(claimed, partial(self._compose, claimed, message, agent))

    async def _compose(
        self, claimed: Claimed, message: WebhookMessage, agent: Any, output: PlatformOutput
    ) -> list[Reply]:
        if message.text is None:
            language = await user_language(agent, self.name(), message.sender)
            return [{"text": unsupported_reply(language)}]
        text = message.text
        if message.typed:
            sender = conversation_id(self.name(), message.sender)
            text = await resolve_choice(agent, sender, text, numbers_shown=self.numbers_shown)
        error = partial(self._error_text, agent, message.sender)
        return await self.converse(claimed, output, text, agent, error)

    async def _error_text(self, agent: Any, sender: str) -> str:
        """The "technical problem, try again" text in the user's language (all three if
        unknown)."""
        return localized_text("error", await user_language(agent, self.name(), sender))
