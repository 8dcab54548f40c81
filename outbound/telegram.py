"""Sending on Telegram with python-telegram-bot: shared by the Rasa channel and the notifier.

Text is split under Telegram's 4096-unit limit, buttons become an inline keyboard (long payloads
go through outbound.callbacks), and Telegram's errors become outbound.message's. Nothing here
imports Rasa, so the notifier starts fast.
"""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Final

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from core import settings
from outbound import message as outbound
from outbound.callbacks import CallbackStore
from outbound.progress import Progress, run_part
from outbound.text import split_text

logger = logging.getLogger(__name__)

CHANNEL: Final = "telegram"
#: The real Bot API; PTB appends the token. Tests point TELEGRAM_BASE_URL at a fake server.
DEFAULT_BASE_URL: Final = "https://api.telegram.org/bot"
#: Telegram counts a message's length in UTF-16 code units (an emoji outside the BMP is 2).
MAX_TEXT_UNITS: Final = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CALLBACK_BYTES: Final = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
#: What @BotFather hands out: the bot's numeric id, a colon, then 35 URL-safe characters.
TOKEN_PATTERN: Final = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
#: Sent when a message has buttons but no text (Telegram refuses an empty message).
EMPTY_TEXT: Final = "…"


def make_bot(token: str, base_url: str = "") -> Bot:
    """A PTB Bot on the given Bot API base URL (the real one when empty)."""
    return Bot(token, base_url=base_url or DEFAULT_BASE_URL)


def quiet_http_logs() -> None:
    """httpx logs every request URL at INFO, and Telegram URLs contain the bot token."""
    logging.getLogger("httpx").setLevel(logging.WARNING)


# --- buttons ---------------------------------------------------------------------------------


def is_url(payload: str) -> bool:
    """Button payloads that are links open in the browser instead of reaching Rasa."""
    return payload.startswith(("https://", "http://"))


async def inline_keyboard(
    buttons: Sequence[tuple[str, str]], store: CallbackStore
) -> InlineKeyboardMarkup:
    """One button per row (titles name events and are long); payloads as callback data."""
    data = iter(await store.encode([p for _, p in buttons if not is_url(p)]))
    rows = [
        [
            InlineKeyboardButton(title, url=payload)
            if is_url(payload)
            else InlineKeyboardButton(title, callback_data=next(data))
        ]
        for title, payload in buttons
    ]
    return InlineKeyboardMarkup(rows)


# --- errors ----------------------------------------------------------------------------------


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds Telegram asks to wait (PTB returns an int or a timedelta, with a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def outbound_error(error: TelegramError) -> Exception:
    """outbound.message's exception for a Telegram error.

    RetryAfter (429) -> RateLimited; Forbidden (bot blocked), BadRequest (unknown chat, bad
    message), ChatMigrated (a group, which we do not serve) and InvalidToken -> DeliveryError;
    network errors, time-outs and anything else -> TransientError. BadRequest and TimedOut are
    NetworkError subclasses in PTB, hence the order.
    """
    if isinstance(error, RetryAfter):
        return outbound.RateLimited(retry_after_seconds(error), str(error))
    if isinstance(error, InvalidToken):
        return outbound.DeliveryError(f"Telegram rejected the bot token: {error}")
    if isinstance(error, (Forbidden, BadRequest, ChatMigrated)):
        return outbound.DeliveryError(str(error))
    if isinstance(error, NetworkError):
        return outbound.TransientError(str(error))
    return outbound.TransientError(f"{type(error).__name__}: {error}")


# --- sending ---------------------------------------------------------------------------------


async def send_text(
    bot: Bot,
    chat_id: int | str,
    text: str,
    buttons: Sequence[tuple[str, str]],
    store: CallbackStore,
    *,
    flood_wait: float = 0.0,
    progress: Progress | None = None,
) -> None:
    """Send text (split as needed) with the buttons on its last chunk; with ``progress``,
    the chunks an earlier attempt delivered are skipped.

    With ``flood_wait``, a chunk Telegram refused with RetryAfter is sent again once after the
    wait, if the wait is no longer; otherwise RetryAfter propagates (the notifier's rate
    limiter handles it).
    """
    chunks = split_text(text, MAX_TEXT_UNITS) or ([EMPTY_TEXT] if buttons else [])
    markup = await inline_keyboard(buttons, store) if buttons else None

    async def send(chunk: str, reply_markup: InlineKeyboardMarkup | None) -> None:
        try:
            await bot.send_message(chat_id, chunk, reply_markup=reply_markup)
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            if wait > flood_wait:
                raise
            await asyncio.sleep(wait)
            await bot.send_message(chat_id, chunk, reply_markup=reply_markup)

    for number, chunk in enumerate(chunks, start=1):
        reply_markup = markup if number == len(chunks) else None
        await run_part(progress, partial(send, chunk, reply_markup))


class TelegramNotifier:
    """Proactive messages (alerts, reminders) to Telegram users: outbound.message.Notifier."""

    channel = CHANNEL
    #: Telegram's broadcast limit: about 30 messages per second overall...
    max_rate_per_second = 30.0
    #: ...and about one per second in one chat.
    per_recipient_interval = 1.0

    def __init__(self, token: str, base_url: str = "", bot: Bot | None = None) -> None:
        self._bot = bot or make_bot(token, base_url)
        self._callbacks = CallbackStore(MAX_CALLBACK_BYTES)

    @classmethod
    def from_settings(cls) -> TelegramNotifier:
        """A notifier on TELEGRAM_TOKEN and TELEGRAM_BASE_URL; fails fast on a missing token."""
        quiet_http_logs()
        env = settings.current().telegram
        return cls(
            settings.check_secret("TELEGRAM_TOKEN", env.token),
            env.base_url or DEFAULT_BASE_URL,
        )

    async def send(self, message: outbound.OutboundMessage) -> None:
        """Send the text, buttons as an inline keyboard (the parts ``message.progress`` says
        were delivered are skipped); raise outbound.message's errors."""
        if not message.text.strip():
            raise outbound.DeliveryError(f"empty message {message.key}")
        buttons = [(b.title, b.payload) for b in message.buttons]
        try:
            await self._bot.initialize()
            await send_text(
                self._bot,
                message.recipient,
                message.text,
                buttons,
                self._callbacks,
                progress=message.progress,
            )
        except TelegramError as error:
            raise outbound_error(error) from error

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._bot.shutdown()
