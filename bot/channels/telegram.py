"""The Telegram channel: a Rasa input channel (long polling or webhook) and its output channel.

Configured in credentials.yml under ``bot.channels.telegram.TelegramInput`` (see README, Telegram).
python-telegram-bot provides the transport and the types; what to answer is Rasa's business.
Each update is handled once (bot.channels.inbound), in order within a chat, in private chats
only: in groups and channels the assistant stays silent. Text and button presses go to Rasa with the
user's Telegram language as ``metadata.language_hint``, a typed choice ("2", "la deuxième") as
the payload of the button it picks (bot.channels.choices); media, edits and expired buttons get
a short reply in the user's language (bot.channels.texts) without bothering Rasa.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any, Final
from weakref import WeakValueDictionary

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.channels.choices import resolve_choice
from bot.channels.inbound import record_inbound
from bot.channels.texts import LANGUAGE_NAMES, channel_text, reply_language
from core.settings import SettingsError, is_placeholder
from nlu.vocabulary.canonical import REPLY_LANGUAGES
from outbound.callbacks import CallbackStore
from outbound.telegram import (
    CHANNEL,
    DEFAULT_BASE_URL,
    MAX_CALLBACK_BYTES,
    TOKEN_PATTERN,
    TelegramNotifier,
    make_bot,
    quiet_http_logs,
    retry_after_seconds,
    send_text,
)

__all__ = ["TelegramInput", "TelegramNotifier", "TelegramOutput", "TelegramSettings"]

logger = logging.getLogger(__name__)

MODES: Final = ("polling", "webhook")
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram's rule for secret tokens (1-256 of these characters); we ask for at least 16.
SECRET_PATTERN: Final = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
#: The only updates the bot asks Telegram for; anything else that arrives is acknowledged.
ALLOWED_UPDATES: Final = ("message", "edited_message", "callback_query")
#: Seconds one getUpdates call waits for news (long polling).
POLL_TIMEOUT: Final = 25
#: Telegram shows "typing..." for 5 s; it is sent again this often while Rasa works.
TYPING_EVERY: Final = 4.0
#: A reply Telegram refuses with RetryAfter is sent again after waiting up to this long.
REPLY_FLOOD_WAIT: Final = 30.0
#: At shutdown, updates being answered get this long to finish before they are cancelled.
STOP_GRACE: Final = 10.0
#: Retry delays (seconds) when Telegram cannot be reached, doubling up to the maximum.
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0
#: Pause after a 409 Conflict (another process polls with the same token).
CONFLICT_PAUSE: Final = 10.0

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+(?P<args>.*))?$", re.S)
#: Deep-link payloads of t.me/<bot>?start=mission_<slug> and ?start=register_<slug>.
_START_PAYLOAD = re.compile(r"^(?P<kind>mission|register)_(?P<slug>[a-z0-9][a-z0-9-]*)$")
_START_INTENTS: Final = {"mission": "ask_mission_details", "register": "register_mission"}
#: Commands that stand for one intent of the domain.
COMMANDS: Final = {
    "start": "/greet",
    "missions": "/ask_missions",
    "aide": "/help",
    "help": "/help",
    "stop": "/unsubscribe_alerts",  # no filter: every alert subscription
}
LANGUAGE_COMMANDS: Final = frozenset({"langue", "language", "lang"})
#: What may follow /langue: a language code or a language's name.
LANGUAGE_WORDS: Final = {
    **{code: code for code in REPLY_LANGUAGES},
    "français": "fr",
    "francais": "fr",
    "french": "fr",
    "الفرنسية": "fr",
    "arabe": "ar",
    "arabic": "ar",
    "العربية": "ar",
    "عربية": "ar",
    "anglais": "en",
    "english": "en",
    "الإنجليزية": "en",
    "الانجليزية": "en",
}


class TelegramSettingsError(SettingsError, RasaException):
    """credentials.yml's Telegram section is wrong; `rasa run` stops with this message."""


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TelegramSettings:
    """The channel's settings, checked (an empty token turns the channel off)."""

    token: str = ""
    mode: str = "polling"
    webhook_url: str = ""
    secret_token: str = ""
    base_url: str = DEFAULT_BASE_URL

    @property
    def enabled(self) -> bool:
        """False when no token is configured."""
        return bool(self.token)


def _text(credentials: Mapping[str, Any], key: str) -> str:
    value = credentials.get(key)
    return "" if value is None else str(value).strip()


def _check_token(token: str) -> None:
    if is_placeholder(token):
        raise TelegramSettingsError(
            f"TELEGRAM_TOKEN holds the placeholder {token!r}: put the token @BotFather gave you "
            "in .env, or leave it empty to turn the Telegram channel off."
        )
    if not TOKEN_PATTERN.match(token):
        raise TelegramSettingsError(
            "TELEGRAM_TOKEN does not look like a bot token from @BotFather "
            "(digits, a colon, then letters, digits, '-' and '_')."
        )


def _check_webhook(webhook_url: str, secret_token: str, base_url: str) -> None:
    if not webhook_url:
        raise TelegramSettingsError(
            "Telegram webhook mode needs TELEGRAM_WEBHOOK_URL, the public HTTPS address of "
            "/webhooks/telegram/webhook on this server."
        )
    if base_url == DEFAULT_BASE_URL and not webhook_url.startswith("https://"):
        raise TelegramSettingsError("TELEGRAM_WEBHOOK_URL must be an https:// address.")
    if not secret_token or is_placeholder(secret_token):
        raise TelegramSettingsError(
            "Telegram webhook mode needs TELEGRAM_SECRET_TOKEN, a random secret "
            "(e.g. `openssl rand -hex 32`) that Telegram sends back with every update."
        )
    if not SECRET_PATTERN.match(secret_token):
        raise TelegramSettingsError(
            "TELEGRAM_SECRET_TOKEN must be 16 to 256 characters among A-Z, a-z, 0-9, '_' and '-'."
        )


def telegram_settings(credentials: Mapping[str, Any]) -> TelegramSettings:
    """Check credentials.yml's Telegram section; raise TelegramSettingsError if it is wrong."""
    mode = _text(credentials, "mode").lower() or "polling"
    if mode not in MODES:
        raise TelegramSettingsError(f"Telegram mode must be polling or webhook, not {mode!r}.")
    base_url = _text(credentials, "base_url") or DEFAULT_BASE_URL
    if not base_url.startswith(("https://", "http://")):
        raise TelegramSettingsError(f"TELEGRAM_BASE_URL must be an http(s) URL, not {base_url!r}.")
    token = _text(credentials, "token")
    if not token:
        return TelegramSettings(mode=mode, base_url=base_url)
    _check_token(token)
    webhook_url = _text(credentials, "webhook_url")
    secret_token = _text(credentials, "secret_token")
    if mode == "webhook":
        _check_webhook(webhook_url, secret_token, base_url)
    elif webhook_url:
        logger.warning("Telegram mode is polling: TELEGRAM_WEBHOOK_URL is ignored.")
    return TelegramSettings(token, mode, webhook_url, secret_token, base_url)


# --- what an update asks for -----------------------------------------------------------------


def _language_payload(language: str) -> str:
    return "/change_language" + json.dumps({"language": language})


def command_text(text: str) -> str | None:
    """The text Rasa receives for a message: commands become intents, other text is kept.

    ``/start mission_<slug>`` (a deep link) shows that event, ``/start register_<slug>`` starts
    registering for it; ``/langue ar`` switches language and a bare ``/langue`` returns None
    (the channel shows its language menu). Unknown commands reach Rasa unchanged, without
    their ``@botname``.
    """
    match = _COMMAND.match(text.strip())
    if not match:
        return text
    name, args = match["name"].lower(), (match["args"] or "").strip()
    if name == "start" and (deep_link := _START_PAYLOAD.match(args)):
        intent = _START_INTENTS[deep_link["kind"]]
        return f"/{intent}" + json.dumps({"event_slug": deep_link["slug"]})
    if name in COMMANDS:
        return COMMANDS[name]
    if name in LANGUAGE_COMMANDS:
        language = LANGUAGE_WORDS.get(args.lower())
        return _language_payload(language) if language else None
    return f"/{match['name']}" + (f" {args}" if args else "")


@dataclass(frozen=True)
class Incoming:
    """What the channel does with one update."""

    action: str  # "rasa" (text), "button" (callback data), "notice" (a channel text), "ignore"
    chat_id: int | None = None
    user_id: str | None = None
    language_code: str | None = None
    text: str = ""  # the message text, the callback data, or the notice's key
    callback_query_id: str | None = None


IGNORE: Final = Incoming("ignore")


def classify(update: Update) -> Incoming:
    """Sort an update: text and buttons for Rasa, a notice for media and edits, else nothing.

    Ignored: anything outside private chats, service messages, poll answers, member changes...
    """
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message else None
        if chat is None or chat.type != ChatType.PRIVATE or not query.data:
            return Incoming("ignore", callback_query_id=query.id)
        presser = query.from_user
        return Incoming(
            "button", chat.id, str(presser.id), presser.language_code, query.data, query.id
        )
    message = update.message or update.edited_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return IGNORE
    user = message.from_user
    if user is None or user.is_bot:
        return IGNORE
    who = (message.chat.id, str(user.id), user.language_code)
    if update.edited_message is not None:
        return Incoming("notice", *who, text="edited")
    if message.text:
        return Incoming("rasa", *who, text=message.text)
    if message.effective_attachment is not None:
        return Incoming("notice", *who, text="unsupported")
    return IGNORE  # a service message: nothing the user wrote


def metadata(incoming: Incoming) -> dict[str, Any]:
    """Message metadata for Rasa: the user's Telegram language, read by action_set_language."""
    return {"language_hint": incoming.language_code} if incoming.language_code else {}


def is_update(data: Any) -> bool:
    """A webhook body shaped like an Update: a JSON object with an integer update_id."""
    return isinstance(data, dict) and type(data.get("update_id")) is int


def parse_update(data: dict[str, Any], bot: Bot) -> Update | None:
    """The Update in a webhook body; None when python-telegram-bot cannot read it."""
    try:
        return Update.de_json(data, bot)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


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


# --- output ----------------------------------------------------------------------------------


class TelegramOutput(OutputChannel):
    """Sends Rasa's replies to a private chat (the chat id is the user id, Rasa's sender id).

    Failures are logged, never raised: an exception here would make Rasa drop the turn.
    """

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, bot: Bot, callbacks: CallbackStore) -> None:
        self._bot = bot
        self._callbacks = callbacks

    async def _deliver(self, recipient_id: str, what: str, call: Awaitable[Any]) -> None:
        try:
            await call
        except TelegramError as error:
            logger.error("Telegram %s to %s failed: %s", what, recipient_id, error)

    async def _text(self, recipient_id: str, text: str, buttons: list[tuple[str, str]]) -> None:
        call = send_text(
            self._bot, recipient_id, text, buttons, self._callbacks, flood_wait=REPLY_FLOOD_WAIT
        )
        await self._deliver(recipient_id, "message", call)

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
        await self._deliver(recipient_id, "photo", self._bot.send_photo(recipient_id, image))

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """A file by URL; anything else as text."""
        if isinstance(attachment, str) and attachment.startswith(("https://", "http://")):
            call = self._bot.send_document(recipient_id, attachment)
            await self._deliver(recipient_id, "document", call)
        else:
            await self._text(recipient_id, str(attachment), [])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """``{"type": "ics", "filename", "content"}`` (actions/missions.py) as a document."""
        if json_message.get("type") == "ics" and json_message.get("content"):
            call = self._bot.send_document(
                recipient_id,
                str(json_message["content"]).encode("utf-8"),
                filename=str(json_message.get("filename") or "event.ics"),
            )
            await self._deliver(recipient_id, "calendar file", call)
        elif json_message.get("text"):
            await self._text(recipient_id, str(json_message["text"]), [])
        else:
            logger.warning("custom message %s not supported on Telegram", sorted(json_message))


# --- input -----------------------------------------------------------------------------------


class TelegramInput(InputChannel):
    """Receives Telegram updates by long polling (default) or webhook and hands them to Rasa."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if credentials is None:
            return cls.raise_missing_credentials_exception()
        return cls(telegram_settings(credentials))

    def __init__(
        self, config: TelegramSettings, *, bot: Bot | None = None, poll_timeout: int = POLL_TIMEOUT
    ) -> None:
        self.config = config
        self.bot: Bot | None = bot or (
            make_bot(config.token, config.base_url) if config.enabled else None
        )
        self.poll_timeout = poll_timeout
        self._callbacks = CallbackStore(MAX_CALLBACK_BYTES)
        self._on_new_message: Callable[[UserMessage], Awaitable[Any]] | None = None
        self._runner: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._chat_locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()
        #: The Sanic app, whose ``ctx.agent`` (set by Rasa) reads conversations; from startup.
        self.app: Any = None

    def get_output_channel(self) -> OutputChannel | None:
        """Replies outside a user's turn (Rasa's trigger_intent API); None when off."""
        return TelegramOutput(self.bot, self._callbacks) if self.bot else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """GET / (status) and POST /webhook, plus the listeners that start and stop the bot."""
        self._on_new_message = on_new_message
        telegram_webhook = Blueprint("telegram_webhook", __name__)

        # Plain functions: Sanic 21.12's Blueprint.listener silently drops bound methods.
        async def start(app: Sanic, loop: Any) -> None:
            await self._start(app, loop)

        async def stop(app: Sanic, loop: Any) -> None:
            await self._stop(app, loop)

        telegram_webhook.listener(start, "after_server_start")
        telegram_webhook.listener(stop, "before_server_stop")

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            status = "ok" if self.config.enabled else "off"
            return response.json({"status": status, "mode": self.config.mode})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.receive(request)

        return telegram_webhook

    # --- webhook ---

    def _secret_ok(self, header: str | None) -> bool:
        expected = self.config.secret_token.encode("utf-8")
        return header is not None and hmac.compare_digest(header.encode("utf-8"), expected)

    async def receive(self, request: Request) -> HTTPResponse:
        """Handle one webhook call from Telegram.

        503 when the channel is off, 404 in polling mode, 403 without the secret, 400 for a
        body that is not an update, else 200 once the update is handled (or, when
        python-telegram-bot cannot read it, logged and skipped).
        """
        if self.bot is None:
            return response.json({"error": "the Telegram channel is off"}, status=503)
        if self.config.mode != "webhook":
            return response.json({"error": "the Telegram channel polls"}, status=404)
        if not self._secret_ok(request.headers.get(SECRET_HEADER)):
            return response.json({"error": "forbidden"}, status=403)
        try:
            data = json.loads(request.body)
        except ValueError:
            return response.json({"error": "malformed JSON"}, status=400)
        if not is_update(data):
            return response.json({"error": "not a Telegram update"}, status=400)
        update = parse_update(data, self.bot)
        if update is None:  # a 4xx would make Telegram resend it, holding up the next ones
            logger.warning("Telegram update %s unreadable; acknowledged", data["update_id"])
        else:
            await self.handle(update)
        return response.json({"ok": True})

    # --- lifecycle ---

    async def _start(self, app: Sanic, _loop: Any) -> None:
        self.app = app
        if self.bot is None:
            logger.info("Telegram channel off: TELEGRAM_TOKEN is empty.")
            return
        quiet_http_logs()
        work = self._poll() if self.config.mode == "polling" else self._register_webhook()
        self._runner = asyncio.create_task(self._guarded(work))

    async def _stop(self, app: Sanic, _loop: Any) -> None:
        if self.bot is None:
            return
        if self._runner is not None:
            self._runner.cancel()
            with suppress(asyncio.CancelledError):
                await self._runner
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self.bot.shutdown()
        logger.info("Telegram channel stopped.")

    @staticmethod
    async def _guarded(work: Awaitable[None]) -> None:
        """Run the polling loop or the webhook registration; a bug is logged, not lost."""
        try:
            await work
        except Exception:
            logger.exception("the Telegram channel stopped on an unexpected error")

    async def _connect(self, bot: Bot, first_call: Callable[[], Awaitable[Any]]) -> bool:
        """getMe then ``first_call``, retried while Telegram is unreachable; False: bad token."""
        delay = BACKOFF_FIRST
        while True:
            try:
                await bot.initialize()
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
        bot = self._require_bot()
        registered = await self._connect(
            bot,
            lambda: bot.set_webhook(
                self.config.webhook_url,
                allowed_updates=list(ALLOWED_UPDATES),
                secret_token=self.config.secret_token,
            ),
        )
        if registered:
            logger.info("Telegram channel: @%s receives updates at its webhook.", bot.username)

    async def _poll(self) -> None:
        bot = self._require_bot()
        if not await self._connect(bot, bot.delete_webhook):
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
                    offset = await self._skip_unreadable(bot, offset)
                continue
            delay = BACKOFF_FIRST
            for update in updates:
                offset = update.update_id + 1
                self._spawn(update)

    async def _skip_unreadable(self, bot: Bot, offset: int | None) -> int | None:
        """The offset after the first pending update, which python-telegram-bot cannot read.

        Without skipping it, polling would stall on that update for ever.
        """
        with warnings.catch_warnings():  # PTB warns: "use Bot.get_updates" (it just failed)
            warnings.simplefilter("ignore")
            raw = await bot.do_api_request(
                "get_updates", api_kwargs={"offset": offset, "limit": 1, "timeout": 0}
            )
        if not raw:
            return offset
        update_id = int(raw[0]["update_id"])
        logger.warning("Telegram update %s unreadable; skipped", update_id)
        return update_id + 1

    def _spawn(self, update: Update) -> None:
        task = asyncio.create_task(self.handle(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _require_bot(self) -> Bot:
        if self.bot is None:
            raise RuntimeError("the Telegram channel is off")
        return self.bot

    # --- handling one update ---

    async def handle(self, update: Update) -> None:
        """Handle one update once, after the earlier updates of its chat; never raises."""
        chat = update.effective_chat
        lock = None
        if chat is not None:
            lock = self._chat_locks.get(chat.id)
            if lock is None:
                lock = self._chat_locks[chat.id] = asyncio.Lock()
        try:
            if lock is None:
                await self._process(update)
            else:
                async with lock:
                    await self._process(update)
        except Exception:
            logger.exception("Telegram update %s could not be handled", update.update_id)

    async def _process(self, update: Update) -> None:
        incoming = classify(update)
        if not await record_inbound(CHANNEL, str(update.update_id), incoming.user_id):
            logger.debug("Telegram update %s already handled", update.update_id)
            return
        if incoming.callback_query_id:
            await self._answer(incoming.callback_query_id)
        if incoming.action == "ignore" or incoming.chat_id is None:
            return
        if incoming.action == "notice":
            await self._notice(incoming, incoming.text)
            return
        if incoming.action == "button":
            text = await self._callbacks.decode(incoming.text)
            if text is None:
                await self._notice(incoming, "expired_button")
                return
        else:
            text = command_text(incoming.text)
            if text is None:
                await self._language_menu(incoming)
                return
            agent = getattr(getattr(self.app, "ctx", None), "agent", None)
            text = await resolve_choice(agent, str(incoming.user_id), text)
        await self._to_rasa(incoming, text)

    async def _answer(self, callback_query_id: str) -> None:
        try:
            await self._require_bot().answer_callback_query(callback_query_id)
        except TelegramError as error:
            logger.debug("answerCallbackQuery failed: %s", error)

    async def _to_rasa(self, incoming: Incoming, text: str) -> None:
        bot = self._require_bot()
        if self._on_new_message is None:
            raise RuntimeError("blueprint() was not called")
        assert incoming.chat_id is not None
        message = UserMessage(
            text,
            TelegramOutput(bot, self._callbacks),
            incoming.user_id,
            input_channel=CHANNEL,
            metadata=metadata(incoming),
        )
        try:
            async with typing(bot, incoming.chat_id):
                await self._on_new_message(message)
        except Exception:
            logger.exception("Rasa failed on a Telegram message from %s", incoming.user_id)
            await self._notice(incoming, "error")

    async def _notice(
        self, incoming: Incoming, key: str, buttons: Iterable[tuple[str, str]] = ()
    ) -> None:
        """Say one of bot.channels.texts in the user's language."""
        assert incoming.chat_id is not None and incoming.user_id is not None
        language = await reply_language(CHANNEL, incoming.user_id, incoming.language_code)
        output = TelegramOutput(self._require_bot(), self._callbacks)
        await output.send_text_with_buttons(
            str(incoming.chat_id),
            channel_text(key, language),
            [{"title": title, "payload": payload} for title, payload in buttons],
        )

    async def _language_menu(self, incoming: Incoming) -> None:
        buttons = [(LANGUAGE_NAMES[code], _language_payload(code)) for code in REPLY_LANGUAGES]
        await self._notice(incoming, "choose_language", buttons)
