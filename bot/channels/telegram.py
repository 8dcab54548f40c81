"""The Telegram channel: a Rasa input channel, its updates by long polling or webhook.

Configured in credentials.yml under ``bot.channels.telegram.TelegramInput`` (see README, Telegram;
settings checked by outbound/telegram_settings.py). python-telegram-bot provides the transport
and the types; what to answer is Rasa's business. Updates arrive from the updater (polling,
bot/channels/telegram_updater.py: an offset is confirmed only once its updates are stored) or
the webhook route (200 once the update is stored and answered, 503 when it could not be
stored); each is stored once and answered once, in order within a chat (bot/channels/base.py),
as bot/channels/telegram_updates.py reads it. Text and button presses
go to Rasa with the user's Telegram language as ``metadata.language_hint``, a typed choice ("2",
"la deuxième") as the payload of the button it picks (bot/channels/choices.py); media, edits and
expired buttons get a short reply in the user's language (bot/channels/texts.py) without
bothering Rasa. Replies go out through bot/channels/telegram_output.py.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from functools import partial
from typing import Any, Final

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, Update
from telegram.error import TelegramError

from bot.channels.base import ChannelInput, Handler, agent_of
from bot.channels.choices import resolve_choice
from bot.channels.inbound import Claimed, DatabaseUnavailable, Received
from bot.channels.output import PlatformOutput
from bot.channels.telegram_output import TelegramOutput, typing
from bot.channels.telegram_updater import POLL_TIMEOUT, Updater
from bot.channels.telegram_updates import (
    Incoming,
    classify,
    command_text,
    is_update,
    language_payload,
    metadata,
    parse_update,
)
from bot.channels.texts import LANGUAGE_NAMES, channel_text, chosen_or_platform_language
from bot.channels.turns import Reply
from core.identity import conversation_id
from nlu.vocabulary.canonical import REPLY_LANGUAGES
from outbound.callbacks import CallbackStore
from outbound.telegram import CHANNEL, MAX_CALLBACK_BYTES, make_bot, quiet_http_logs
from outbound.telegram_settings import TelegramSettings, telegram_settings

logger = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"


class TelegramInput(ChannelInput[TelegramSettings]):
    """Receives Telegram updates by long polling (default) or webhook and hands them to Rasa."""

    title = "Telegram"

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def read_settings(cls, credentials: Mapping[str, Any]) -> TelegramSettings:
        """The checked settings (off when the token is empty); TelegramSettingsError if wrong."""
        return telegram_settings(credentials)

    def __init__(
        self, config: TelegramSettings, *, bot: Bot | None = None, poll_timeout: int = POLL_TIMEOUT
    ) -> None:
        super().__init__(config)
        self.config = config
        self.bot: Bot | None = bot or (
            make_bot(config.token, config.base_url) if config.enabled else None
        )
        self.poll_timeout = poll_timeout
        self._callbacks = CallbackStore(MAX_CALLBACK_BYTES)
        self._runner: asyncio.Task[None] | None = None

    @property
    def is_on(self) -> bool:
        """False when no token is configured."""
        return self.bot is not None

    def _require_bot(self) -> Bot:
        if self.bot is None:
            raise RuntimeError("the Telegram channel is off")
        return self.bot

    def output(self) -> TelegramOutput:
        """Replies through the Bot API."""
        return TelegramOutput(self._require_bot(), self._callbacks)

    def routes(self) -> list[tuple[str, str, Handler]]:
        """POST /webhook: Telegram's updates in webhook mode."""
        return [("/webhook", "POST", self.receive)]

    def status(self) -> dict[str, Any]:
        """The channel's status and mode."""
        return {**super().status(), "mode": self.config.mode}

    def error(self, status: int, message: str) -> HTTPResponse:
        """Errors as ``{"error": message}``."""
        return response.json({"error": message}, status=status)

    # --- webhook ---

    def _secret_ok(self, header: str | None) -> bool:
        expected = self.config.secret_token.encode("utf-8")
        return header is not None and hmac.compare_digest(header.encode("utf-8"), expected)

    async def receive(self, request: Request) -> HTTPResponse:
        """Handle one webhook call from Telegram.

        404 in polling mode, 403 without the secret, 400 for a body that is not an update, else
        200 once the update is handled (or, when python-telegram-bot cannot read it, logged and
        skipped), 503 when the update could not be stored (Telegram sends it again). While the
        channel is off the base answers 503.
        """
        if self.config.mode != "webhook":
            return self.error(404, "the Telegram channel polls")
        if not self._secret_ok(request.headers.get(SECRET_HEADER)):
            return self.error(403, "forbidden")
        try:
            data = json.loads(request.body)
        except ValueError:
            return self.error(400, "malformed JSON")
        if not is_update(data):
            return self.error(400, "not a Telegram update")
        update = parse_update(data, self._require_bot())
        if update is None:  # a 4xx would make Telegram resend it, holding up the next ones
            logger.warning("Telegram update %s unreadable; acknowledged", data["update_id"])
        elif not await self.handle(update):
            return self.error(503, "temporarily unavailable")  # Telegram sends it again
        return response.json({"ok": True})

    # --- lifecycle ---

    async def start(self, app: Sanic) -> None:
        """Start polling, or register the webhook; nothing while the channel is off."""
        await super().start(app)
        if self.bot is None:
            logger.info("Telegram channel off: TELEGRAM_TOKEN is empty.")
            return
        quiet_http_logs()
        updater = Updater(self.bot, self.config, self.store_updates, poll_timeout=self.poll_timeout)
        self._runner = asyncio.create_task(updater.run())

    async def stop(self) -> None:
        """Stop getting updates, let those being answered finish, then close the bot."""
        if self._runner is not None:
            self._runner.cancel()
            with suppress(asyncio.CancelledError):
                await self._runner
        await super().stop()

    async def close(self) -> None:
        """Close the bot's connections."""
        if self.bot is not None:
            await self.bot.shutdown()
            logger.info("Telegram channel stopped.")

    # --- storing and answering updates ---

    async def handle(self, update: Update) -> bool:
        """Store one update and answer it (waited for); False when it could not be stored."""
        return await self.store_updates([update], wait=True)

    async def store_updates(self, updates: Sequence[Update], *, wait: bool = False) -> bool:
        """Store updates before they are acknowledged, then answer them, each chat's in order
        (waited for with ``wait``); False when they could not be stored. Updates outside a
        private conversation are only acknowledged (a button press there is answered)."""
        received = []
        for update in updates:
            incoming = classify(update)
            if incoming.user_id is None:
                if incoming.callback_query_id:
                    await self._answer(incoming.callback_query_id)
                continue
            payload = {"update": update.to_dict()}
            received.append(Received(str(update.update_id), incoming.user_id, payload))
        if not received:
            return True
        try:
            tasks = await self.receive_messages(received, agent_of(self.app))
        except DatabaseUnavailable:
            logger.warning("Telegram: %d update(s) not stored; not acknowledged", len(received))
            return False
        if wait:
            await asyncio.wait(tasks)
        return True

    async def answer(self, claimed: Claimed, agent: Any) -> None:
        """Answer a stored update: a button press is acknowledged, then the reply sent."""
        data = claimed.payload.get("update")
        update = parse_update(data, self._require_bot()) if isinstance(data, dict) else None
        if update is None:
            return
        incoming = classify(update)
        if incoming.callback_query_id and claimed.attempts == 1:
            await self._answer(incoming.callback_query_id)
        if incoming.action == "ignore" or incoming.chat_id is None:
            return
        await self.reply(claimed, partial(self._compose, claimed, incoming, agent))

    async def _compose(
        self, claimed: Claimed, incoming: Incoming, agent: Any, output: PlatformOutput
    ) -> list[Reply]:
        """The replies to one update: a notice of the channel's own, or Rasa's turn."""
        if incoming.action == "notice":
            return [await self._notice(incoming, incoming.text)]
        if incoming.action == "button":
            text = await self._callbacks.decode(incoming.text)
            if text is None:
                return [await self._notice(incoming, "expired_button")]
        else:
            text = command_text(incoming.text)
            if text is None:
                return [await self._language_menu(incoming)]
            sender = conversation_id(CHANNEL, str(incoming.user_id))
            text = await resolve_choice(agent, sender, text)
        assert incoming.chat_id is not None
        error = partial(self._error_text, incoming)
        async with typing(self._require_bot(), incoming.chat_id):
            return await self.converse(claimed, output, text, agent, error, metadata(incoming))

    async def _answer(self, callback_query_id: str) -> None:
        try:
            await self._require_bot().answer_callback_query(callback_query_id)
        except TelegramError as error:
            logger.debug("answerCallbackQuery failed: %s", error)

    async def _language(self, incoming: Incoming) -> str:
        assert incoming.user_id is not None
        return await chosen_or_platform_language(CHANNEL, incoming.user_id, incoming.language_code)

    async def _error_text(self, incoming: Incoming) -> str:
        return channel_text("error", await self._language(incoming))

    async def _notice(
        self, incoming: Incoming, key: str, buttons: Iterable[tuple[str, str]] = ()
    ) -> Reply:
        """One of bot.channels.texts in the user's language, as a reply."""
        text = channel_text(key, await self._language(incoming))
        return {"text": text, "buttons": [{"title": t, "payload": p} for t, p in buttons]}

    async def _language_menu(self, incoming: Incoming) -> Reply:
        buttons = [(LANGUAGE_NAMES[code], language_payload(code)) for code in REPLY_LANGUAGES]
        return await self._notice(incoming, "choose_language", buttons)
