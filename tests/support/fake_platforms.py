"""Local stand-ins for Meta's Graph API and Twilio's REST API, and signed webhook payloads.

``FakeApi`` is an aiohttp server on 127.0.0.1 (a random port) that records every request and
answers like the real API (or with queued answers, e.g. a 429). Unit tests run it in their own
event loop (``async with``); end-to-end tests, whose Rasa server is another process, run it in a
thread (``with fake.in_thread()``). The payload builders follow the documented webhook shapes:
Meta's ``whatsapp_business_account`` notifications and Twilio's form-encoded messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sanic import Sanic
from twilio.request_validator import RequestValidator

from kb.display import payload

PHONE_NUMBER_ID = "109876543210987"
DISPLAY_NUMBER = "212522000000"


@dataclass
class Recorded:
    """One request the fake API received."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)


@dataclass
class Answer:
    """A queued answer: status, JSON body, headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeApi:
    """Records requests and answers them like the Graph API or Twilio's REST API."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.answers: list[Answer] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def queue(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next request with this (then back to normal answers)."""
        self.answers.append(Answer(status, body, headers or {}))

    async def _record(self, request: web.Request) -> Recorded:
        recorded = Recorded(request.method, request.path, dict(request.headers))
        if request.content_type == "application/json":
            recorded.json = await request.json()
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    recorded.files[name] = (value.filename, value.content_type, value.file.read())
                else:
                    recorded.form[name] = str(value)
        return recorded

    def _normal(self, recorded: Recorded) -> Answer:
        number = next(self._ids)
        if recorded.path.endswith("/media"):
            return Answer(200, {"id": f"media-{number}"})
        if recorded.path.endswith("/Messages.json"):
            return Answer(201, {"sid": f"SM{number:032d}", "status": "queued"})
        return Answer(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": (recorded.json or {}).get("to"), "wa_id": "x"}],
                "messages": [{"id": f"wamid.out.{number}"}],
            },
        )

    async def _handle(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        self.requests.append(recorded)
        answer = self.answers.pop(0) if self.answers else self._normal(recorded)
        return web.json_response(answer.body, status=answer.status, headers=answer.headers)

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; returns the base URL."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeApi:
        await self.start()
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.stop()

    @contextmanager
    def in_thread(self) -> Iterator[FakeApi]:
        """Run the server in a thread with its own event loop until the block ends."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        asyncio.run_coroutine_threadsafe(self.start(), loop).result(10)
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    # --- what was sent ---------------------------------------------------------------------------

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Graph API message objects posted to /messages (to one recipient)."""
        found = [
            r.json
            for r in list(self.requests)
            if r.path.endswith("/messages") and isinstance(r.json, dict)
        ]
        return [m for m in found if to is None or m.get("to") == to]

    def twilio_messages(self, to: str | None = None) -> list[dict[str, str]]:
        """Forms posted to Twilio's Messages.json (to one recipient, "whatsapp:+...")."""
        found = [r.form for r in list(self.requests) if r.path.endswith("/Messages.json")]
        return [m for m in found if to is None or m.get("To") == to]

    def wait_for(
        self, condition: Callable[[], bool], timeout: float = 30.0, interval: float = 0.05
    ) -> bool:
        """Poll ``condition`` (from another thread than the server's) until true or timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(interval)
        return condition()


# --- an input channel served like Rasa serves it -------------------------------------------------


class FakeTrackerStore:
    """Trackers by sender id, like Rasa's tracker store's ``retrieve`` (for ``agent``)."""

    def __init__(self) -> None:
        self.trackers: dict[str, Any] = {}

    async def retrieve(self, sender_id: str) -> Any:
        return self.trackers.get(sender_id)


def details_payload(slug: str) -> str:
    return payload("ask_mission_details", event_slug=slug)


def register_payload(slug: str) -> str:
    return payload("register_mission", event_slug=slug)


def event_cards(*slugs: str) -> list[Any]:
    """The bot's messages of a list of events, as Rasa's tracker holds them: one message per
    event with its [Détails] and [M'inscrire] buttons (utter_missions_item)."""
    from rasa.shared.core.events import BotUttered

    return [
        BotUttered(
            f"📌 {slug}",
            {
                "buttons": [
                    {"title": "Détails", "payload": details_payload(slug)},
                    {"title": "M'inscrire", "payload": register_payload(slug)},
                ]
            },
        )
        for slug in slugs
    ]


@asynccontextmanager
async def serve_channel(
    channel: Any, on_new_message: Callable[[Any], Awaitable[Any]], agent: Any = None
) -> AsyncIterator[str]:
    """Serve ``channel``'s blueprint under /webhooks/<name> (as Rasa does) on a free port of
    127.0.0.1, in this event loop; yields the base URL. ``agent`` stands in for Rasa's agent
    (``app.ctx.agent``: its tracker store)."""
    Sanic.test_mode = True  # several apps of the same name in one process
    app = Sanic(f"test_{channel.name()}", configure_logging=False)
    if agent is not None:
        app.ctx.agent = agent
    app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()


# --- Meta (WhatsApp Cloud API) webhooks ----------------------------------------------------------


def meta_signature(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 header Meta sends with ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def meta_webhook(
    messages: list[dict[str, Any]] = (),  # type: ignore[assignment]
    statuses: list[dict[str, Any]] = (),  # type: ignore[assignment]
    phone_number_id: str = PHONE_NUMBER_ID,
    profile_name: str = "Samira",
) -> dict[str, Any]:
    """A whatsapp_business_account notification carrying ``messages`` and/or ``statuses``."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = [
            {"profile": {"name": profile_name}, "wa_id": m["from"]}
            for m in {m["from"]: m for m in messages}.values()
        ]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def _base(wa_id: str, wamid: str, kind: str) -> dict[str, Any]:
    return {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), "type": kind}


def meta_text(wa_id: str, wamid: str, body: str) -> dict[str, Any]:
    """A text message."""
    return {**_base(wa_id, wamid, "text"), "text": {"body": body}}


def meta_button_reply(wa_id: str, wamid: str, reply_id: str, title: str) -> dict[str, Any]:
    """A tap on an interactive reply button."""
    return {
        **_base(wa_id, wamid, "interactive"),
        "context": {"from": DISPLAY_NUMBER, "id": "wamid.out.1"},
        "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
    }


def meta_list_reply(
    wa_id: str, wamid: str, reply_id: str, title: str, description: str = ""
) -> dict[str, Any]:
    """A choice in an interactive list."""
    reply = {"id": reply_id, "title": title}
    if description:
        reply["description"] = description
    return {
        **_base(wa_id, wamid, "interactive"),
        "context": {"from": DISPLAY_NUMBER, "id": "wamid.out.1"},
        "interactive": {"type": "list_reply", "list_reply": reply},
    }


def meta_reply_to(wa_id: str, wamid: str, sent: dict[str, Any], payload: str) -> dict[str, Any]:
    """The user's tap on the button or list row of ``sent`` whose id is ``payload``."""
    interactive = sent["interactive"]
    if interactive["type"] == "button":
        for button in interactive["action"]["buttons"]:
            if button["reply"]["id"] == payload:
                return meta_button_reply(wa_id, wamid, payload, button["reply"]["title"])
    else:
        for section in interactive["action"]["sections"]:
            for row in section["rows"]:
                if row["id"] == payload:
                    return meta_list_reply(
                        wa_id, wamid, payload, row["title"], row.get("description", "")
                    )
    raise AssertionError(f"{payload!r} is not offered in {json.dumps(interactive)}")


#: What each message type the assistant cannot read looks like.
MEDIA_CONTENT: dict[str, dict[str, Any]] = {
    "image": {"image": {"mime_type": "image/jpeg", "sha256": "abc", "id": "1234"}},
    "audio": {
        "audio": {
            "mime_type": "audio/ogg; codecs=opus",
            "sha256": "abc",
            "id": "1235",
            "voice": True,
        }
    },
    "video": {"video": {"mime_type": "video/mp4", "sha256": "abc", "id": "1236"}},
    "sticker": {
        "sticker": {"mime_type": "image/webp", "sha256": "abc", "id": "1237", "animated": False}
    },
    "document": {
        "document": {
            "filename": "catalogue.pdf",
            "mime_type": "application/pdf",
            "sha256": "abc",
            "id": "1238",
        }
    },
    "location": {"location": {"latitude": 33.5731, "longitude": -7.5898, "name": "Casablanca"}},
    "contacts": {
        "contacts": [
            {
                "name": {"formatted_name": "Samira"},
                "phones": [{"phone": "+212612345678", "type": "CELL"}],
            }
        ]
    },
    "reaction": {"reaction": {"message_id": "wamid.out.1", "emoji": "\U0001f44d"}},
    "unsupported": {
        "errors": [
            {"code": 131051, "title": "Message type unknown", "message": "Message type unknown"}
        ]
    },
}


def meta_media(wa_id: str, wamid: str, kind: str) -> dict[str, Any]:
    """A message of a type the assistant does not read (image, audio, location...)."""
    return {**_base(wa_id, wamid, kind), **MEDIA_CONTENT[kind]}


def meta_status(wamid: str, recipient: str, status: str = "delivered") -> dict[str, Any]:
    """A delivery status of a message the business sent."""
    found: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
    }
    if status == "failed":
        found["errors"] = [{"code": 131026, "title": "Message undeliverable"}]
    return found


# --- Twilio webhooks -----------------------------------------------------------------------------


def twilio_form(sender: str, sid: str, body: str = "", **extra: str) -> dict[str, str]:
    """The form Twilio posts for a WhatsApp message from ``sender`` (E.164)."""
    form = {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Samira",
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": sender.lstrip("+"),
        "SmsStatus": "received",
        "Body": body,
        "To": "whatsapp:+14155238886",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": f"whatsapp:{sender}",
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def twilio_signature(auth_token: str, url: str, form: dict[str, str]) -> str:
    """The X-Twilio-Signature header Twilio sends with ``form`` posted to ``url``."""
    return str(RequestValidator(auth_token).compute_signature(url, form))


@contextmanager
def channel_in_thread(channel: Any, agent: Any = None) -> Iterator[str]:
    """Serve ``channel`` (as ``serve_channel`` does) from a background thread, for synchronous
    tests (the console's test client); yields the base URL."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    found: list[str] = []
    stop = asyncio.Event()

    async def nothing(_: Any) -> None:
        raise AssertionError("nothing is handed to Rasa here")

    async def run() -> None:
        async with serve_channel(channel, nothing, agent) as url:
            found.append(url)
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError(f"the {channel.name()} channel did not start")
    try:
        yield found[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
