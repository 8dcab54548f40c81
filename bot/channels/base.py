"""What every input channel shares; a channel module then holds only its platform's protocol.

- credentials: ``from_credentials`` reads credentials.yml's section into the platform's settings
  (outbound/); a channel whose secrets are empty is off: its routes answer 503 and its health
  says "off";
- receiving and answering (bot/channels/answering.py): stored before the platform is
  acknowledged, answered once, each sender's messages in order, under the rate limit;
- limits: a body over MAX_WEBHOOK_BODY gets a 413 before anything else is read;
- identity: a conversation is keyed by the channel and the platform's user id
  (core.identity), and replies go back to the platform's id (``PlatformOutput``).
"""

from __future__ import annotations

import asyncio
import logging
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, ClassVar, Final, Generic, TypeVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.answering import AnsweringChannel, agent_of
from bot.channels.inbound import InboundLog
from bot.channels.limits import (
    MAX_WEBHOOK_BODY,
    RATE_BURST,
    RATE_PER_SECOND,
    SenderRateLimiter,
    body_too_large,
)
from bot.channels.output import DeliveryPending, PlatformOutput, RetryingOutput
from bot.channels.queue import SenderQueue
from bot.channels.texts import localized_text

__all__ = [
    "ChannelInput",
    "DeliveryPending",
    "Handler",
    "PlatformOutput",
    "RetryingOutput",
    "SenderQueue",
    "agent_of",
    "unsupported_reply",
]

logger = logging.getLogger(__name__)

S = TypeVar("S")
Handler = Callable[[Request], Coroutine[Any, Any, HTTPResponse]]

#: At shutdown, messages being answered get this long to finish before they are cancelled.
STOP_GRACE: Final = 10.0


def unsupported_reply(language: str | None) -> str:
    """The polite "I only read text" reply; in all three languages when the language is unknown."""
    return localized_text("unsupported", language)


class ChannelInput(InputChannel, AnsweringChannel, Generic[S]):
    """An input channel on the platform's settings ``S`` (None: the channel is off)."""

    #: The platform's name in logs and answers.
    title: ClassVar[str]
    #: The settings whose emptiness turns the channel off, named in the log.
    secret_names: ClassVar[tuple[str, ...]] = ()
    #: The channel writes the buttons' numbers in the text (bot/channels/choices.py).
    numbers_shown: ClassVar[bool] = False
    #: The largest body the platform's routes accept (413 beyond).
    max_body: ClassVar[int] = MAX_WEBHOOK_BODY

    def __init__(self, settings: S | None) -> None:
        self.settings = settings
        self.queue = SenderQueue(self.title)
        self.inbound = InboundLog(self.name())
        self.limiter = SenderRateLimiter(RATE_PER_SECOND, RATE_BURST)
        #: The Sanic app, whose ``ctx.agent`` (set by Rasa) reads conversations; from startup.
        self.app: Any = None
        self._on_new_message: Callable[[UserMessage], Awaitable[Any]] | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._claimed = False

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
    def output(self) -> PlatformOutput:
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
            if body_too_large(request, self.max_body):
                return self.error(413, f"the body must be at most {self.max_body} bytes")
            return await handler(request)

        return guarded

    async def start(self, app: Sanic) -> None:
        """Called once the server listens: take up the messages nobody answers."""
        self.app = app
        if self.is_on:
            self._sweeper = asyncio.create_task(self._sweep())

    async def stop(self) -> None:
        """Let the messages being answered finish (cancelled after STOP_GRACE), give back
        those this process still holds, then close."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        await self.queue.finish(STOP_GRACE)
        if self._claimed:
            await self.inbound.release_all()
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
