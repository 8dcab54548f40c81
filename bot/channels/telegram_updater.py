"""Getting updates from Telegram: long polling with getUpdates, or registering the webhook.

Both start with getMe, retried with back-off while Telegram cannot be reached; a rejected token
stops the channel with a clear error. Polling hands each batch of updates to the channel, which
stores them, and only then moves its offset past them: the next getUpdates confirms them to
Telegram, so an update the database could not store is fetched again, and one received by a
process that died before storing it too. It waits out flood control and a 409 Conflict (another
process polls with the same token), and skips an update python-telegram-bot cannot read rather
than stall on it.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import Any, Final

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from outbound.telegram import retry_after_seconds
from outbound.telegram_settings import TelegramSettings

logger = logging.getLogger(__name__)

#: The only updates the bot asks Telegram for; anything else that arrives is acknowledged.
ALLOWED_UPDATES: Final = ("message", "edited_message", "callback_query")
#: Seconds one getUpdates call waits for news (long polling).
POLL_TIMEOUT: Final = 25
#: Retry delays (seconds) when Telegram cannot be reached, doubling up to the maximum.
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0
#: Pause after a 409 Conflict (another process polls with the same token).
CONFLICT_PAUSE: Final = 10.0
#: Pause before fetching again updates the channel could not store.
STORE_RETRY: Final = 5.0

#: Stores a batch of updates and has them answered; False when they could not be stored.
OnUpdates = Callable[[Sequence[Update]], Awaitable[bool]]


class Updater:
    """Brings the updates in: polls and hands each batch to ``on_updates``, or registers the
    webhook (the webhook's calls then arrive at the channel's route)."""

    def __init__(
        self,
        bot: Bot,
        settings: TelegramSettings,
        on_updates: OnUpdates,
        *,
        poll_timeout: int = POLL_TIMEOUT,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.on_updates = on_updates
        self.poll_timeout = poll_timeout

    async def run(self) -> None:
        """Poll until cancelled, or register the webhook; a bug is logged, not lost."""
        try:
            if self.settings.mode == "polling":
                await self._poll()
            else:
                await self._register_webhook()
        except Exception:
            logger.exception("the Telegram channel stopped on an unexpected error")

    async def _connect(self, first_call: Callable[[], Awaitable[Any]]) -> bool:
        """getMe then ``first_call``, retried while Telegram is unreachable; False: bad token."""
        delay = BACKOFF_FIRST
        while True:
            try:
                await self.bot.initialize()
                await first_call()
                return True
            except InvalidToken:
                logger.error("Telegram rejected TELEGRAM_TOKEN; the Telegram channel is stopped.")
                return False
            except TelegramError as error:
                logger.warning("Telegram unreachable (%s); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)

    async def _register_webhook(self) -> None:
        registered = await self._connect(
            lambda: self.bot.set_webhook(
                self.settings.webhook_url,
                allowed_updates=list(ALLOWED_UPDATES),
                secret_token=self.settings.secret_token,
            ),
        )
        if registered:
            logger.info("Telegram channel: @%s receives updates at its webhook.", self.bot.username)

    async def _poll(self) -> None:
        bot = self.bot
        if not await self._connect(bot.delete_webhook):
            return
        logger.info("Telegram channel: @%s is polling for updates.", bot.username)
        offset: int | None = None
        delay = BACKOFF_FIRST
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=self.poll_timeout, allowed_updates=list(ALLOWED_UPDATES)
                )
            except RetryAfter as error:
                await asyncio.sleep(retry_after_seconds(error))
                continue
            except Conflict:
                logger.warning(
                    "Telegram: another process polls with this token, or a webhook is set; "
                    "retrying in %.0f s",
                    CONFLICT_PAUSE,
                )
                await asyncio.sleep(CONFLICT_PAUSE)
                continue
            except InvalidToken:
                logger.error("Telegram rejected TELEGRAM_TOKEN; polling stopped.")
                return
            except TelegramError as error:
                logger.warning("getUpdates failed (%s); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            except (TypeError, ValueError, KeyError, AttributeError):
                with suppress(TelegramError):
                    offset = await self._skip_unreadable(offset)
                continue
            delay = BACKOFF_FIRST
            if not updates:
                continue
            if not await self.on_updates(updates):
                logger.warning("Telegram updates not stored; fetched again in %.0f s", STORE_RETRY)
                await asyncio.sleep(STORE_RETRY)
                continue
            offset = updates[-1].update_id + 1  # confirmed by the next getUpdates

    async def _skip_unreadable(self, offset: int | None) -> int | None:
        """The offset after the first pending update, which python-telegram-bot cannot read.

        Without skipping it, polling would stall on that update for ever.
        """
        with warnings.catch_warnings():  # PTB warns: "use Bot.get_updates" (it just failed)
            warnings.simplefilter("ignore")
            raw = await self.bot.do_api_request(
                "get_updates", api_kwargs={"offset": offset, "limit": 1, "timeout": 0}
            )
        if not raw:
            return offset
        update_id = int(raw[0]["update_id"])
        logger.warning("Telegram update %s unreadable; skipped", update_id)
        return update_id + 1
