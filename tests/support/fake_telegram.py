"""A fake Telegram Bot API on 127.0.0.1, and real Update JSON for tests.

``FakeTelegram`` answers POST /bot<token>/<method> as Telegram does (``{"ok": true, "result":
...}``), records every call with its form fields and uploaded files, serves queued updates to
getUpdates (honouring offset, limit and timeout, so long polling works) and can be told to fail
a method (e.g. 429 with retry_after). ``ThreadedFakeTelegram`` runs one in a thread for
synchronous tests (the end-to-end ones, where Rasa runs in another process).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmno"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "ASMEX", "username": "asmex_test_bot"}
DATE = 1_764_000_000


@dataclass
class Call:
    """One Bot API call the fake received."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)  # name, data, type

    @property
    def chat_id(self) -> int:
        """The chat the call sends to."""
        return int(self.params["chat_id"])

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row after row."""
        markup = self.params.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]


def _decode(value: str) -> Any:
    """Form values that PTB JSON-encoded (keyboards, lists) back to Python."""
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeTelegram:
    """The fake server; ``await start()`` in the event loop that will serve it."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._message_ids = itertools.count(1000)
        self._news: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """What the bot is given as base_url (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._news = asyncio.Event()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do ---

    def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates (call in the server's loop)."""
        self.updates.extend(updates)
        if self._news is not None:
            self._news.set()

    def fail(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        description: str = "",
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with this HTTP status."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": status,
            "description": description or f"Error {status}",
        }
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            body["description"] = description or f"Too Many Requests: retry after {retry_after}"
        self._failures.setdefault(method, []).extend([(status, body)] * times)

    def calls_to(self, *methods: str) -> list[Call]:
        """The calls of these methods, in order."""
        return [call for call in self.calls if call.method in methods]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Texts of every sendMessage (to one chat)."""
        return [
            str(call.params["text"])
            for call in self.calls_to("sendMessage")
            if chat_id is None or call.chat_id == chat_id
        ]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times; its calls."""
        deadline = time.monotonic() + timeout
        while len(self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{method} called {len(self.calls_to(method))} times, not {count}: "
                    f"{[c.method for c in self.calls]}"
                )
            await asyncio.sleep(0.02)
        return self.calls_to(method)

    # --- the server ---

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes, str]] = {}
        if request.content_type == "application/json":
            params = await request.json()
            return params, files
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = (value.filename, value.file.read(), value.content_type)
            else:
                params[name] = _decode(str(value))
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await self._params(request)
        self.calls.append(Call(method, params, files))
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        failures = self._failures.get(method)
        if failures:
            status, body = failures.pop(0)
            return web.json_response(body, status=status)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.json_response({"ok": True, "result": await handler(params, files)})

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {
            "message_id": next(self._message_ids),
            "date": DATE,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            **content,
        }

    async def _api_getMe(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return BOT_USER

    async def _api_getUpdates(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        assert self._news is not None
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        # Telegram forgets the updates a call confirms with its offset.
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while not self.updates and time.monotonic() < deadline:
            self._news.clear()
            try:
                await asyncio.wait_for(self._news.wait(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                break
        return self.updates[:limit]

    async def _api_setWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def _api_sendMessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return self._message(params, text=params["text"])

    async def _api_sendChatAction(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _api_sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        name = files["document"][0] if "document" in files else "file"
        document = {"file_id": "doc-1", "file_unique_id": "doc-u1", "file_name": name}
        return self._message(params, document=document)

    async def _api_sendPhoto(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        photo = {"file_id": "photo-1", "file_unique_id": "photo-u1", "width": 1, "height": 1}
        return self._message(params, photo=[photo])

    async def _api_editMessageReplyMarkup(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> Any:
        return self._message(params, text="")


class ThreadedFakeTelegram:
    """A FakeTelegram serving from its own thread, for synchronous tests."""

    def __init__(self, fake: FakeTelegram, loop: asyncio.AbstractEventLoop) -> None:
        self.fake = fake
        self._loop = loop

    @property
    def base_url(self) -> str:
        """What the bot is given as base_url."""
        return self.fake.base_url

    def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates, from any thread."""
        self._loop.call_soon_threadsafe(self.fake.push, *updates)

    def calls_to(self, *methods: str) -> list[Call]:
        """The calls of these methods so far, in order."""
        return self.fake.calls_to(*methods)

    def wait_until(self, condition: Any, timeout: float = 60.0, what: str = "") -> None:
        """Wait until ``condition()`` is true."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or condition}")
            time.sleep(0.05)


@contextmanager
def fake_telegram_in_thread(token: str = TOKEN) -> Iterator[ThreadedFakeTelegram]:
    """Run a FakeTelegram in a background thread until the block ends."""
    loop = asyncio.new_event_loop()
    fake = FakeTelegram(token)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(fake.start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(fake.stop())
        pending = asyncio.all_tasks(loop)  # long polls still waiting for news
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=serve, name="fake-telegram", daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("the fake Telegram server did not start")
    try:
        yield ThreadedFakeTelegram(fake, loop)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


# --- real Telegram Update JSON -------------------------------------------------------------------

_update_ids = itertools.count(500_000)
_message_ids = itertools.count(1)


def next_update_id() -> int:
    """A fresh update_id (unique within the test process)."""
    return next(_update_ids)


def user(user_id: int = 4242, language_code: str | None = "fr", name: str = "Samira") -> dict:
    """A Telegram User object (a person)."""
    found: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name}
    if language_code:
        found["language_code"] = language_code
    return found


def private_chat(user_id: int = 4242, name: str = "Samira") -> dict:
    """A private Chat (its id is the user's)."""
    return {"id": user_id, "type": "private", "first_name": name}


def group_chat(chat_id: int = -100777) -> dict:
    """A supergroup Chat."""
    return {"id": chat_id, "type": "supergroup", "title": "Exportateurs"}


def message(
    text: str | None = None,
    *,
    user_id: int = 4242,
    language_code: str | None = "fr",
    chat: dict | None = None,
    **content: Any,
) -> dict:
    """A Message object: text (commands get their bot_command entity) or other content."""
    found: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": DATE,
        "chat": chat or private_chat(user_id),
        "from": user(user_id, language_code),
        **content,
    }
    if text is not None:
        found["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            found["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return found


def message_update(text: str | None = None, *, update_id: int | None = None, **kwargs: Any) -> dict:
    """An Update carrying a new message."""
    return {"update_id": update_id or next_update_id(), "message": message(text, **kwargs)}


def edited_update(text: str, **kwargs: Any) -> dict:
    """An Update carrying an edited message."""
    edited = {**message(text, **kwargs), "edit_date": DATE + 60}
    return {"update_id": next_update_id(), "edited_message": edited}


def callback_update(
    data: str,
    *,
    user_id: int = 4242,
    language_code: str | None = "fr",
    chat: dict | None = None,
    update_id: int | None = None,
) -> dict:
    """An Update for a press on an inline keyboard button of one of the bot's messages."""
    bot_message = {
        "message_id": next(_message_ids),
        "date": DATE,
        "chat": chat or private_chat(user_id),
        "from": BOT_USER,
        "text": "Choisissez :",
    }
    return {
        "update_id": update_id or next_update_id(),
        "callback_query": {
            "id": f"cbq-{next(_message_ids)}",
            "from": user(user_id, language_code),
            "chat_instance": "-4242",
            "data": data,
            "message": bot_message,
        },
    }


#: One example of each kind of content the assistant cannot read (Telegram's own field names).
MEDIA: dict[str, dict[str, Any]] = {
    "sticker": {
        "sticker": {
            "file_id": "stk",
            "file_unique_id": "stk-u",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
    },
    "photo": {
        "photo": [{"file_id": "ph", "file_unique_id": "ph-u", "width": 90, "height": 90}],
        "caption": "notre catalogue",
    },
    "voice": {"voice": {"file_id": "vc", "file_unique_id": "vc-u", "duration": 4}},
    "video": {
        "video": {
            "file_id": "vd",
            "file_unique_id": "vd-u",
            "width": 640,
            "height": 360,
            "duration": 12,
        }
    },
    "document": {
        "document": {"file_id": "dc", "file_unique_id": "dc-u", "file_name": "catalogue.pdf"}
    },
    "location": {"location": {"latitude": 33.5731, "longitude": -7.5898}},
    "contact": {
        "contact": {"phone_number": "+212612345678", "first_name": "Samira", "user_id": 4242}
    },
}
