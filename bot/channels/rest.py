"""The REST channel, POST /webhooks/rest/webhook, with its input checked.

Same address, request and replies as Rasa's RestInput (``{"sender", "message", "metadata"}``
in, a JSON list of replies out; ``?stream=true`` streams them), used by `make run`'s terminal
chat, the end-to-end tests and the benchmarks. Rasa's own channel answers a body that is not a
JSON object with a 500, files a message without ``sender`` under the shared id "default",
takes the channel name from the request (so a client could act as a Telegram or WhatsApp
user) and hands any ``message`` to NLU, whatever its type or length. Here:

- 400 with ``{"error": ...}`` for a body that is not a JSON object, a ``sender`` that is not a
  non-empty string or number of at most MAX_SENDER characters, a ``message`` that is not a
  string, ``metadata`` that is not an object;
- the channel is always "rest": ``input_channel`` in the body is ignored, and the conversation
  is ``rest:<sender>`` (core.identity), so no REST client reaches another channel's member;
- a message longer than MAX_MESSAGE characters (Telegram's and WhatsApp's limit) is not parsed
  (NLU time grows with length): the reply asks for a shorter one, in the user's language
  (conversation slot, users table, ``metadata.language_hint``), else in all three;
- a message whose handling fails with nothing said yet gets the channel's "technical problem,
  try again" text instead of an empty list;
- a message that only names a choice ("2", "la deuxième") is the payload of the choice it
  picks (bot/channels/choices.py).

The channel trusts the sender id it is given, as Rasa's does: keep it off the public internet
(README, "What to publish").
"""

from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any, Final

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.choices import resolve_choice
from bot.channels.texts import localized_text, user_language
from core.identity import conversation_id
from nlu.vocabulary.canonical import language_from_hint
from outbound.text import MAX_MESSAGE

logger = logging.getLogger(__name__)

#: The channel's name: its URL (/webhooks/rest/) and the input channel of its messages.
CHANNEL: Final = "rest"
#: Longest sender id accepted (Rasa's tracker stores keep it in a 255-character column).
MAX_SENDER: Final = 255


class RestRequestError(ValueError):
    """A request the channel refuses with 400; the message says what is wrong."""


def read_request(body: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """(sender, message, metadata) of a REST request body, or RestRequestError."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
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
    message = data.get("message")
    if not isinstance(message, str):
        raise RestRequestError('"message" must be a string')
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise RestRequestError('"metadata" must be an object')
    return sender, message, metadata


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


def said(reply: dict[str, Any], stream: bool) -> HTTPResponse:
    """One reply of the channel's own, as a list or, for ``?stream=true``, a one-line stream
    (Rasa's console client reads one JSON object per line)."""
    if stream:
        return response.text(json.dumps(reply) + "\n", content_type="text/event-stream")
    return response.json([reply])


class CheckedRestInput(RestInput):
    """Rasa's REST channel, with the checks of this module's docstring."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("rest_webhook", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            try:
                sender, text, metadata = read_request(request.body)
            except RestRequestError as error:
                return response.json({"error": str(error)}, status=400)
            stream = rasa.utils.endpoints.bool_arg(request, "stream", default=False)
            if len(text) > MAX_MESSAGE:
                reply = await localized("too_long", request, sender, metadata)
                logger.info("REST message of %d characters from %s refused", len(text), sender)
                return said({"recipient_id": sender, "text": reply}, stream)
            conversation = conversation_id(CHANNEL, sender)
            agent = getattr(request.app.ctx, "agent", None)
            text = await resolve_choice(agent, conversation, text)
            if stream:
                return response.stream(
                    self.stream_response(on_new_message, text, conversation, CHANNEL, metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, conversation, input_channel=CHANNEL, metadata=metadata
                    )
                )
            except CancelledError:  # the client went away: as Rasa's channel does
                logger.error("REST message from %s cancelled", sender)
            except Exception:
                logger.exception("REST message from %s failed", sender)
                if not collector.messages:  # never unanswered: say so, in their language
                    reply = await localized("error", request, sender, metadata)
                    return said({"recipient_id": sender, "text": reply}, stream=False)
            return response.json([{**m, "recipient_id": sender} for m in collector.messages])

        return rest
