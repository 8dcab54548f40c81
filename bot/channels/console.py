"""The staff console's door into the Rasa server: take a member's conversation, reply, hand
it back. The console changes a conversation only through these routes, never by writing the
conversation store.

Routes, under /webhooks/console/, each with ``Authorization: Bearer <CONSOLE_RASA_TOKEN>``
(compared in constant time; 401 without it, and for everything while the token is empty):

- ``POST handoffs/<id>/take`` ``{"staff_id": N}``: the handoff is held by that staff member
  (bot.extensions.handoff_hold then keeps the member's messages from the dialogue) and the
  member is told, in their language, that a person has joined;
- ``POST handoffs/<id>/reply`` ``{"staff_id": N, "text": "..."}``: the reply is stored, then
  delivered on the member's channel (outbound.handoff_delivery); the answer says whether it
  left (``sent``), will be tried again (``failed``) or cannot be sent there (``none``: REST);
- ``POST handoffs/<id>/hand-back`` ``{"staff_id": N}``: the assistant answers the member
  again; they are told so and offered the one-tap rating.

Answers are JSON: ``{"handoff": id, "status": ..., "delivery": ..., "line": ...}``; 400 for a
malformed body, 404 for an unknown handoff, 409 for one in the wrong state. Staff replies not
delivered are tried again every RETRY_EVERY seconds while the server runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.handoff_texts import handoff_text, rating_buttons
from bot.channels.rest import token_matches
from core import settings
from kb.access import DatabaseUnavailable, run_db
from kb.handoff_live import (
    HandoffStateError,
    LiveHandoff,
    add_line,
    add_staff_reply,
    get_live,
    hand_back,
    take,
)
from kb.views import NotFoundError
from outbound.handoff_delivery import Sent, deliver_reply, retry_undelivered, send_to_member
from outbound.message import Button

logger = logging.getLogger(__name__)

#: Seconds between two tries of the staff replies not delivered yet.
RETRY_EVERY: Final = 60.0
#: The longest staff reply accepted (a WhatsApp text's limit).
MAX_REPLY: Final = 4096
MAX_BODY: Final = 16 * 1024


class BadRequest(ValueError):
    """The request's body is not what the route reads."""


def _body(request: Request, *, with_text: bool) -> tuple[int, str]:
    if len(request.body or b"") > MAX_BODY:
        raise BadRequest("body too large")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise BadRequest("the body must be JSON") from None
    staff_id = body.get("staff_id") if isinstance(body, dict) else None
    if not isinstance(staff_id, int) or isinstance(staff_id, bool) or staff_id <= 0:
        raise BadRequest("staff_id must be a positive integer")
    text = body.get("text", "")
    if with_text and (not isinstance(text, str) or not text.strip() or len(text) > MAX_REPLY):
        raise BadRequest(f"text must be 1 to {MAX_REPLY} characters")
    return staff_id, text.strip() if isinstance(text, str) else ""


def _answer(live: LiveHandoff, sent: Sent, line: int | None = None) -> HTTPResponse:
    return response.json(
        {"handoff": live.id, "status": live.status, "delivery": sent.status, "line": line}
    )


class ConsoleInput(InputChannel):
    """The console's authenticated routes on the Rasa server (credentials.yml)."""

    def __init__(self, token: str = "") -> None:
        self.token = token
        self._retrier: asyncio.Task[None] | None = None

    @classmethod
    def name(cls) -> str:
        return "console"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ConsoleInput:
        """The channel with CONSOLE_RASA_TOKEN (core.settings); its section is empty."""
        token = settings.current().console_rasa_token
        if not token:
            logger.warning("console channel: CONSOLE_RASA_TOKEN is empty, every request is refused")
        return cls(token)

    async def take(self, handoff_id: int, staff_id: int, _text: str) -> HTTPResponse:
        """Hold the conversation for ``staff_id``; tell the member a person joined."""
        live = await run_db(take, handoff_id=handoff_id, staff_id=staff_id)
        text = handoff_text("taken", live.language)
        line = await run_db(add_line, handoff_id=live.id, direction="system", text=text)
        sent = await send_to_member(live, text)
        logger.info(
            "handoff %d taken by staff %d (member told: %s)", live.id, staff_id, sent.status
        )
        return _answer(live, sent, line)

    async def reply(self, handoff_id: int, staff_id: int, text: str) -> HTTPResponse:
        """Store the reply, then deliver it on the member's channel."""
        line = await run_db(add_staff_reply, handoff_id=handoff_id, staff_id=staff_id, text=text)
        sent = await deliver_reply(line)
        live = await run_db(get_live, handoff_id=handoff_id)
        return _answer(live, sent, line)

    async def hand_back(self, handoff_id: int, staff_id: int, _text: str) -> HTTPResponse:
        """Give the conversation back to the assistant; tell the member, offer the rating."""
        live = await run_db(hand_back, handoff_id=handoff_id)
        text = handoff_text("handed_back", live.language)
        line = await run_db(add_line, handoff_id=live.id, direction="system", text=text)
        sent = await send_to_member(live, text)
        buttons = [Button(b["title"], b["payload"]) for b in rating_buttons()]
        if sent.status == "sent":
            await send_to_member(live, handoff_text("rate", live.language), buttons=buttons)
        logger.info("handoff %d handed back by staff %d", live.id, staff_id)
        return _answer(live, sent, line)

    def _route(
        self, action: Callable[[int, int, str], Awaitable[HTTPResponse]], *, with_text: bool
    ) -> Callable[[Request, int], Coroutine[Any, Any, HTTPResponse]]:
        async def handler(request: Request, handoff_id: int) -> HTTPResponse:
            if not token_matches(request.headers.get("authorization"), self.token):
                return response.json({"error": "unauthorized"}, status=401)
            try:
                staff_id, text = _body(request, with_text=with_text)
                return await action(handoff_id, staff_id, text)
            except BadRequest as exc:
                return response.json({"error": str(exc)}, status=400)
            except NotFoundError:
                return response.json({"error": "no such handoff"}, status=404)
            except HandoffStateError as exc:
                return response.json({"error": f"handoff is {exc}"}, status=409)
            except DatabaseUnavailable:
                return response.json({"error": "database unavailable"}, status=503)

        return handler

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The three routes, and the retry of undelivered replies while the server runs."""
        console = Blueprint("console_webhook", __name__)

        @console.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.token else "off"})

        for path, action, with_text in (
            ("take", self.take, False),
            ("reply", self.reply, True),
            ("hand-back", self.hand_back, False),
        ):
            console.add_route(
                self._route(action, with_text=with_text),
                f"/handoffs/<handoff_id:int>/{path}",
                methods=["POST"],
                name=f"handoff_{path.replace('-', '_')}",
            )

        async def start(_app: Sanic, _loop: Any) -> None:
            if self.token:
                self._retrier = asyncio.create_task(self._retry_forever())

        async def stop(_app: Sanic, _loop: Any) -> None:
            if self._retrier is not None:
                self._retrier.cancel()
                await asyncio.gather(self._retrier, return_exceptions=True)

        console.listener(start, "after_server_start")
        console.listener(stop, "before_server_stop")
        return console

    async def _retry_forever(self) -> None:
        while True:
            await asyncio.sleep(RETRY_EVERY)
            try:
                await retry_undelivered()
            except Exception:  # noqa: BLE001 - the next round may do better
                logger.exception("console channel: retrying staff replies failed")
