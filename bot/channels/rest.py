"""The REST channel, POST /webhooks/rest/webhook, behind a bearer token, with its input checked.

Same address, request and replies as Rasa's RestInput (``{"sender", "message", "metadata"}``
in, a JSON list of replies out; ``?stream=true`` streams them, one JSON object per line), used
by `make run`'s terminal chat, the end-to-end tests and the benchmarks. Here:

- every message needs ``Authorization: Bearer <REST_TOKEN>`` (compared in constant time);
  without it, 401 with ``{"error": ...}``. An empty REST_TOKEN refuses every message, and the
  channel says so in the log when the server starts. ``GET /webhooks/rest/`` stays open;
- a body over MAX_BODY bytes gets a 413 (bot/channels/limits.py);
- 400 with ``{"error": ...}`` for a body that is not a JSON object, a ``sender`` that is not a
  non-empty string or number of at most MAX_SENDER characters without control characters, a
  ``message`` that is not a string, ``metadata`` that is not an object; the message loses its
  NUL and control characters, and a lone UTF-16 surrogate becomes U+FFFD (core/text.py);
- a sender over the rate limit (RATE_BURST messages at once, then RATE_PER_SECOND) gets a
  429 whose body is the usual list of replies: the polite "wait a few seconds" in their
  language; the message does not reach Rasa;
- the channel is always "rest": ``input_channel`` in the body is ignored, and the conversation
  is ``rest:<sender>`` (core.identity), so no REST client reaches another channel's member;
- a message longer than MAX_MESSAGE characters (Telegram's and WhatsApp's limit) is not parsed
  (NLU time grows with length): the reply asks for a shorter one, in the user's language
  (conversation slot, users table, ``metadata.language_hint``), else in all three;
- a message whose handling fails (its conversation store unreachable:
  bot/extensions/fail_closed.py) gets the channel's "technical problem, try again" text
  instead of the replies of a turn that was not stored (streamed: after those already sent);
- a message that only names a choice ("2", "la deuxième") is the payload of the choice it
  picks (bot/channels/choices.py).

Whoever holds the token may write as any REST sender: it is for the project's own tools, and
the route is never published (docs/production.md, "What to publish").
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.channels.choices import resolve_choice
from bot.channels.limits import (
    RATE_BURST,
    RATE_PER_SECOND,
    SenderRateLimiter,
    body_too_large,
    too_large,
)
from bot.channels.texts import localized_text, user_language
from core import settings
from core.identity import conversation_id
from core.redact import user_ref
from core.text import clean_text
from nlu.vocabulary.canonical import language_from_hint
from outbound.text import MAX_MESSAGE

logger = logging.getLogger(__name__)

#: The channel's name: its URL (/webhooks/rest/) and the input channel of its messages.
CHANNEL: Final = "rest"
#: Longest sender id accepted (Rasa's tracker stores keep it in a 255-character column).
MAX_SENDER: Final = 255
#: Largest body accepted: a message of MAX_MESSAGE characters, each JSON-escaped, and metadata.
MAX_BODY: Final = 64 * 1024

Run = Callable[[CollectingOutputChannel], Awaitable[None]]

#: What a sender id may not hold: control characters and lone surrogates (no platform sends
#: them, and a database cannot store them all).
_NOT_IN_SENDER: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class RestRequestError(ValueError):
    """A request the channel refuses with 400; the message says what is wrong."""


def read_request(body: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """(sender, message, metadata) of a REST request body, or RestRequestError."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RestRequestError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise RestRequestError("the body must be a JSON object")
    sender = data.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise RestRequestError('"sender" must be a non-empty string')
    if len(sender) > MAX_SENDER:
        raise RestRequestError(f'"sender" must be at most {MAX_SENDER} characters')
    if _NOT_IN_SENDER.search(sender):
        raise RestRequestError('"sender" must not hold control characters')
    message = data.get("message")
    if not isinstance(message, str):
        raise RestRequestError('"message" must be a string')
    message = clean_text(message)
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise RestRequestError('"metadata" must be an object')
    return sender, message, metadata


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def token_matches(header: str | None, token: str) -> bool:
    """True when ``header`` carries ``token`` (constant-time); never for an empty token."""
    presented = bearer_token(header)
    if not token or presented is None:
        return False
    return hmac.compare_digest(
        presented.encode("utf-8", "surrogatepass"), token.encode("utf-8", "surrogatepass")
    )


def unauthorized() -> HTTPResponse:
    """The 401 answer to a request without the right bearer token."""
    return response.json(
        {"error": "Authorization: Bearer <REST_TOKEN> is required"},
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="rest"'},
    )


async def localized(
    key: str, request: Request, sender: str, metadata: dict[str, Any] | None
) -> str:
    """The channel text ``key`` in the user's language (conversation slot, users table, then
    ``metadata.language_hint``), or in all three when none is known."""
    agent = getattr(request.app.ctx, "agent", None)
    language = await user_language(agent, CHANNEL, sender) if agent is not None else None
    if language is None:
        language = language_from_hint((metadata or {}).get("language_hint"))
    return localized_text(key, language)


def said(
    reply: dict[str, Any], stream: bool, status: int = 200, headers: dict[str, str] | None = None
) -> HTTPResponse:
    """One reply of the channel's own, as a list or, for ``?stream=true``, a one-line stream."""
    if stream:
        return response.text(
            json.dumps(reply) + "\n",
            status=status,
            headers=headers,
            content_type="text/event-stream",
        )
    return response.json([reply], status=status, headers=headers)


class _StreamingOutput(CollectingOutputChannel):
    """Collects Rasa's replies and hands each to a queue as it comes (``?stream=true``)."""

    def __init__(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        super().__init__()
        self.queue = queue

    async def _persist_message(self, message: dict[str, Any]) -> None:
        await super()._persist_message(message)
        self.queue.put_nowait(message)


def streamed(run: Run, sender: str) -> Callable[[Any], Coroutine[Any, Any, None]]:
    """The body of a ``?stream=true`` answer: each reply as one JSON line as Rasa sends it."""

    async def stream(resp: Any) -> None:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        task = asyncio.ensure_future(run(_StreamingOutput(queue)))
        task.add_done_callback(lambda _: queue.put_nowait(None))
        while (message := await queue.get()) is not None:
            await resp.write(json.dumps({**message, "recipient_id": sender}) + "\n")
        await task

    return stream


class CheckedRestInput(RestInput):
    """Rasa's REST channel, with the checks of this module's docstring."""

    def __init__(self, token: str = "", limiter: SenderRateLimiter | None = None) -> None:
        self.token = token
        if limiter is None:
            limiter = SenderRateLimiter(RATE_PER_SECOND, RATE_BURST)
        self.limiter = limiter

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CheckedRestInput:
        """The channel with REST_TOKEN (core.settings); credentials.yml's section is empty."""
        token = settings.current().rest_token
        if not token:
            logger.warning(
                "REST channel: REST_TOKEN is empty, so every message is refused (401); "
                "`make setup` writes one into .env"
            )
        return cls(token)

    def refusal(self, request: Request) -> HTTPResponse | None:
        """The 401 or 413 answer a request gets before its body is parsed, or None."""
        if not token_matches(request.headers.get("authorization"), self.token):
            return unauthorized()
        if body_too_large(request, MAX_BODY):
            return too_large(MAX_BODY)
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("rest_webhook", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            return await self.receive(request, on_new_message)

        return rest

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse | ResponseStream:
        """Answer one POST /webhooks/rest/webhook."""
        refused = self.refusal(request)
        if refused is not None:
            return refused
        try:
            sender, text, metadata = read_request(request.body)
        except RestRequestError as error:
            return response.json({"error": str(error)}, status=400)
        stream = rasa.utils.endpoints.bool_arg(request, "stream", default=False)
        if not self.limiter.allow(sender):
            logger.info("REST message from %s over the rate limit", user_ref(sender))
            reply = await localized("rate_limited", request, sender, metadata)
            wait = str(max(1, math.ceil(self.limiter.retry_after(sender))))
            return said({"recipient_id": sender, "text": reply}, stream, 429, {"Retry-After": wait})
        if len(text) > MAX_MESSAGE:
            reply = await localized("too_long", request, sender, metadata)
            logger.info(
                "REST message of %d characters from %s refused", len(text), user_ref(sender)
            )
            return said({"recipient_id": sender, "text": reply}, stream)
        conversation = conversation_id(CHANNEL, sender)
        agent = getattr(request.app.ctx, "agent", None)
        text = await resolve_choice(agent, conversation, text)

        async def run(output: CollectingOutputChannel) -> None:
            message = UserMessage(
                text, output, conversation, input_channel=CHANNEL, metadata=metadata
            )
            await self.answer(on_new_message, message, request, sender)

        if stream:
            return response.stream(streamed(run, sender), content_type="text/event-stream")
        collector = CollectingOutputChannel()
        await run(collector)
        return response.json([{**m, "recipient_id": sender} for m in collector.messages])

    async def answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        message: UserMessage,
        request: Request,
        sender: str,
    ) -> None:
        """Hand ``message`` to Rasa; when that fails with nothing said yet, say the "technical
        problem, try again" text in the user's language instead."""
        output = message.output_channel
        try:
            await on_new_message(message)
        except CancelledError:  # the client went away: as Rasa's channel does
            logger.error("REST message from %s cancelled", user_ref(sender))
        except Exception:
            logger.exception("REST message from %s failed", user_ref(sender))
            if isinstance(output, CollectingOutputChannel) and not isinstance(
                output, _StreamingOutput
            ):
                # The turn was not stored (its conversation store failed): replies that were
                # never saved would let the member believe an answer was kept. (Streamed
                # replies are already out: the error text follows them.)
                output.messages.clear()
            reply = await localized("error", request, sender, message.metadata)
            await output.send_text_message(message.sender_id, reply)
