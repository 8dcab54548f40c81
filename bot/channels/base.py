"""What every input channel shares; a channel module then holds only its platform's protocol.

- credentials: ``from_credentials`` reads credentials.yml's section into the platform's settings
  (outbound/); a channel whose secrets are empty is off: its routes answer 503 and its health
  says "off";
- per-user order: a ``SenderQueue`` handles each user's messages one after the other in the
  background, users in parallel; on stop it is drained;
- redelivery: a platform message id is handled once (bot/channels/inbound.py);
- identity: a conversation is keyed by the channel and the platform's user id
  (core.identity), and replies go back to the platform's id (``PlatformOutput``);
- the "I only read text" notice, in the user's language;
- replies with retries (``RetryingOutput``) for the platforms reached over their REST API.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Final, Generic, TypeVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.choices import resolve_choice
from bot.channels.inbound import record_inbound
from bot.channels.texts import localized_text, user_language
from core.identity import conversation_id, platform_id
from outbound.message import DeliveryError, RateLimited, TransientError

logger = logging.getLogger(__name__)

S = TypeVar("S")
Handler = Callable[[Request], Coroutine[Any, Any, HTTPResponse]]

#: At shutdown, messages being answered get this long to finish before they are cancelled.
STOP_GRACE: Final = 10.0
#: Tries of one reply on a rate limit or server error.
REPLY_ATTEMPTS: Final = 3


def unsupported_reply(language: str | None) -> str:
    """The polite "I only read text" reply; in all three languages when the language is unknown."""
    return localized_text("unsupported", language)


def agent_of(app: Any) -> Any:
    """Rasa's agent (its tracker store holds the conversations) of a Sanic app, or None."""
    return getattr(getattr(app, "ctx", None), "agent", None)


@dataclass(frozen=True)
class WebhookMessage:
    """One user message of a webhook call: text for Rasa, or a type we cannot read."""

    sender: str
    message_id: str
    text: str | None  # None: unsupported (image, audio, location, ...)
    typed: bool = True  # False: a button's payload, never read as a typed choice


class SenderQueue:
    """Runs jobs in the background, each sender's one after the other in arrival order.

    Webhooks answer the platform at once (Meta and Twilio retry a slow webhook) and the message
    is handled here. Tests, and the server on shutdown, ``drain()`` it to wait for the replies.
    """

    def __init__(self, name: str = "channel") -> None:
        self.name = name
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def schedule(self, sender: str, job: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run ``job`` after the sender's previous jobs."""
        task = asyncio.create_task(self._run(sender, self._tails.get(sender), job))
        self._tails[sender] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(partial(self._forget, sender))
        return task

    async def _run(
        self, sender: str, previous: asyncio.Task[None] | None, job: Callable[[], Awaitable[None]]
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await job()
        except Exception:  # one failed message must not stop the sender's next ones
            logger.exception("%s: handling a message of %s failed", self.name, sender)

    def _forget(self, sender: str, task: asyncio.Task[None]) -> None:
        if self._tails.get(sender) is task:
            del self._tails[sender]

    @property
    def pending(self) -> int:
        """Senders with jobs not finished yet."""
        return len(self._tails)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait for every job scheduled so far (and those they chain to); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tails:
            left = None if deadline is None else max(0.0, deadline - loop.time())
            _, pending = await asyncio.wait(list(self._tails.values()), timeout=left)
            if pending:
                return False
        return True

    async def finish(self, grace: float) -> None:
        """Wait up to ``grace`` seconds for the jobs scheduled so far, then cancel the others."""
        if await self.drain(grace):
            return
        unfinished = list(self._tasks)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)


class PlatformOutput(OutputChannel):
    """An output channel for one platform: Rasa addresses each reply to the conversation id
    (``<channel>:<user id>``, core.identity), the platform wants its own user id."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send one of Rasa's replies to the platform's user behind ``recipient_id``."""
        await super().send_response(platform_id(recipient_id, self.name()), message)


class RetryingOutput(PlatformOutput):
    """Sends Rasa's replies through a platform's REST client.

    A rate limit or server error is retried twice; a refused message is logged, and the
    following replies are still sent. Failures are never raised: Rasa would drop the turn.
    """

    #: The platform's name in the logs.
    platform: ClassVar[str]
    #: Seconds before the first retry (doubled each time), unless the API says Retry-After.
    retry_delay = 1.0
    max_retry_wait = 10.0

    async def _send(self, to: str, what: str, send: Callable[[], Awaitable[Any]]) -> bool:
        """``send()`` with retries; False when the platform refused it or kept failing."""
        log = logging.getLogger(type(self).__module__)
        for attempt in range(REPLY_ATTEMPTS):
            try:
                await send()
                return True
            except (RateLimited, TransientError) as exc:
                wait = getattr(exc, "retry_after", None)
                wait = self.retry_delay * 2**attempt if wait is None else wait
                log.warning("%s send to %s failed (%s)", self.platform, to, exc)
                if attempt < REPLY_ATTEMPTS - 1:
                    await asyncio.sleep(min(wait, self.max_retry_wait))
            except DeliveryError as exc:
                log.error("%s refused a %s to %s: %s", self.platform, what, to, exc)
                return False
        log.error("%s send to %s failed after retries", self.platform, to)
        return False


class ChannelInput(InputChannel, ABC, Generic[S]):
    """An input channel on the platform's settings ``S`` (None: the channel is off)."""

    #: The platform's name in logs and answers.
    title: ClassVar[str]
    #: The settings whose emptiness turns the channel off, named in the log.
    secret_names: ClassVar[tuple[str, ...]] = ()
    #: The channel writes the buttons' numbers in the text (bot/channels/choices.py).
    numbers_shown: ClassVar[bool] = False

    def __init__(self, settings: S | None) -> None:
        self.settings = settings
        self.queue = SenderQueue(self.title)
        #: The Sanic app, whose ``ctx.agent`` (set by Rasa) reads conversations; from startup.
        self.app: Any = None
        self._on_new_message: Callable[[UserMessage], Awaitable[Any]] | None = None

    @classmethod
    @abstractmethod
    def read_settings(cls, credentials: Mapping[str, Any]) -> S | None:
        """The settings in credentials.yml's section; None when the channel is off."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """The channel configured by credentials.yml's section (Rasa's error when missing)."""
        if credentials is None:
            return cls.raise_missing_credentials_exception()
        settings = cls.read_settings(credentials)
        if settings is None:
            logging.getLogger(cls.__module__).warning(
                "%s channel off: %s are empty", cls.title, " and ".join(cls.secret_names)
            )
        return cls(settings)

    @property
    def is_on(self) -> bool:
        """False while the channel is off."""
        return self.settings is not None

    @abstractmethod
    def output(self) -> OutputChannel:
        """The output channel that sends replies (only while the channel is on)."""

    @abstractmethod
    def routes(self) -> list[tuple[str, str, Handler]]:
        """(path, HTTP method, handler) of the platform's routes; 503 while the channel is off."""

    def get_output_channel(self) -> OutputChannel | None:
        """Replies outside a user's turn (Rasa's trigger_intent API); None while off."""
        return self.output() if self.is_on else None

    def status(self) -> dict[str, Any]:
        """What ``GET /`` answers."""
        return {"status": "ok" if self.is_on else "off"}

    def error(self, status: int, message: str) -> HTTPResponse:
        """An error answer in the platform's form (plain text unless overridden)."""
        return response.text(message, status=status)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """GET / (status), the platform's routes, and the listeners that start and stop."""
        self._on_new_message = on_new_message
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json(self.status())

        for path, method, handler in self.routes():
            name = f"{method.lower()}{path.replace('/', '_')}"
            webhook.add_route(self._unless_off(handler), path, methods=[method], name=name)

        # Plain functions: Sanic 21.12's Blueprint.listener silently drops bound methods.
        async def start(app: Sanic, _loop: Any) -> None:
            await self.start(app)

        async def stop(_app: Sanic, _loop: Any) -> None:
            await self.stop()

        webhook.listener(start, "after_server_start")
        webhook.listener(stop, "before_server_stop")
        return webhook

    def _unless_off(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> HTTPResponse:
            if not self.is_on:
                return self.error(503, f"the {self.title} channel is off")
            return await handler(request)

        return guarded

    async def start(self, app: Sanic) -> None:
        """Called once the server listens."""
        self.app = app

    async def stop(self) -> None:
        """Let the messages being handled finish (cancelled after STOP_GRACE), then close."""
        await self.queue.finish(STOP_GRACE)
        await self.close()

    async def close(self) -> None:
        """Close the platform client's connections."""

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every message received so far is handled (tests, shutdown)."""
        return await self.queue.drain(timeout)

    async def to_rasa(self, message: UserMessage) -> None:
        """Hand ``message`` to Rasa."""
        if self._on_new_message is None:
            raise RuntimeError("blueprint() was not called")
        await self._on_new_message(message)

    async def accept(self, message: WebhookMessage, agent: Any) -> None:
        """Queue ``message`` behind its sender's earlier ones, unless it was handled before."""
        if await record_inbound(self.name(), message.message_id, message.sender):
            self.queue.schedule(message.sender, partial(self._respond, message, agent))

    async def _respond(self, message: WebhookMessage, agent: Any) -> None:
        """The notice for what we cannot read; else the text (or the choice it names) to Rasa."""
        output = self.output()
        if message.text is None:
            language = await user_language(agent, self.name(), message.sender)
            await output.send_text_message(message.sender, unsupported_reply(language))
            return
        text = message.text
        sender = conversation_id(self.name(), message.sender)
        if message.typed:
            text = await resolve_choice(agent, sender, text, numbers_shown=self.numbers_shown)
        await self.to_rasa(
            UserMessage(
                text, output, sender, input_channel=self.name(), message_id=message.message_id
            )
        )
