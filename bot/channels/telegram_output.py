"""Telegram replies in a conversation: Rasa's output channel, and "typing..." while Rasa works.

Sending itself (splitting, inline keyboards, long payloads as keys) is outbound/telegram.py's,
shared with the notifier. Each platform call is a part of the reply being delivered
(bot/channels/output.py): a part Telegram refused for good is logged, one it could not take for
now (network, flood control beyond REPLY_FLOOD_WAIT) raises DeliveryPending while delivering.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from functools import partial
from typing import Any, Final

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.channels.output import PlatformOutput
from core.redact import user_ref
from outbound.callbacks import CallbackStore
from outbound.message import DeliveryError
from outbound.progress import run_part
from outbound.telegram import CHANNEL, outbound_error, send_text

logger = logging.getLogger(__name__)

#: Telegram shows "typing..." for 5 s; it is sent again this often while Rasa works.
TYPING_EVERY: Final = 4.0
#: A reply Telegram refuses with RetryAfter is sent again after waiting up to this long.
REPLY_FLOOD_WAIT: Final = 30.0


class TelegramOutput(PlatformOutput):
    """Sends Rasa's replies to a private chat (the chat id is the Telegram user id).

    Failures are logged; only while delivering a stored reply is a part Telegram could not take
    for now raised (DeliveryPending), to be sent again later.
    """

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, bot: Bot, callbacks: CallbackStore) -> None:
        self._bot = bot
        self._callbacks = callbacks

    async def _deliver(
        self, recipient_id: str, what: str, call: Callable[[], Awaitable[Any]]
    ) -> None:
        try:
            await call()
        except TelegramError as error:
            if self.progress is not None and not isinstance(outbound_error(error), DeliveryError):
                raise self.pending(what, error) from error
            logger.error("Telegram %s to %s failed: %s", what, user_ref(recipient_id), error)

    async def _one(self, recipient_id: str, what: str, call: Callable[[], Awaitable[Any]]) -> None:
        """A reply made of one platform call."""
        await self._deliver(recipient_id, what, lambda: run_part(self.progress, call))

    async def _text(self, recipient_id: str, text: str, buttons: list[tuple[str, str]]) -> None:
        await self._deliver(
            recipient_id,
            "message",
            lambda: send_text(
                self._bot,
                recipient_id,
                text,
                buttons,
                self._callbacks,
                flood_wait=REPLY_FLOOD_WAIT,
                progress=self.progress,
            ),
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Text, split under Telegram's limit."""
        await self._text(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Text with an inline keyboard; a press sends Rasa the button's payload."""
        pairs = [(str(b.get("title", "")), str(b.get("payload", ""))) for b in buttons]
        await self._text(recipient_id, text or "", [p for p in pairs if p[0] and p[1]])

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """A photo by URL."""
        await self._one(recipient_id, "photo", lambda: self._bot.send_photo(recipient_id, image))

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """A file by URL; anything else as text."""
        if isinstance(attachment, str) and attachment.startswith(("https://", "http://")):
            call = partial(self._bot.send_document, recipient_id, attachment)
            await self._one(recipient_id, "document", call)
        else:
            await self._text(recipient_id, str(attachment), [])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """``{"type": "ics", "filename", "content"}`` (actions/missions.py) as a document."""
        if json_message.get("type") == "ics" and json_message.get("content"):
            call = partial(
                self._bot.send_document,
                recipient_id,
                str(json_message["content"]).encode("utf-8"),
                filename=str(json_message.get("filename") or "event.ics"),
            )
            await self._one(recipient_id, "calendar file", call)
        elif json_message.get("text"):
            await self._text(recipient_id, str(json_message["text"]), [])
        else:
            logger.warning("custom message %s not supported on Telegram", sorted(json_message))


@asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing..." in the chat until the block ends."""

    async def again() -> None:
        while True:
            await asyncio.sleep(TYPING_EVERY)
            await _chat_action(bot, chat_id)

    await _chat_action(bot, chat_id)
    task = asyncio.create_task(again())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def _chat_action(bot: Bot, chat_id: int) -> None:
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as error:
        logger.debug("typing indicator for %s failed: %s", chat_id, error)
