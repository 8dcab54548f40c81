"""Helpers of the crash tests: a Bot API that can stop accepting replies, the whole stack killed
with SIGKILL, PostgreSQL restarted under a running server.

``HoldingTelegram`` is the fake Bot API of tests/support/fake_telegram.py, except that once armed
with ``accept(n)`` it takes ``n`` more replies and holds every later one unanswered: a held reply
was never accepted, and when the process that sent it is killed it is dropped, as Telegram
drops a request whose connection died. So a test knows exactly what the member received before
the crash.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlparse

import psutil
import psycopg2
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from kb.models import InboundMessage, OutboxReply
from kb.session import make_engine
from tests.e2e.servers import Servers
from tests.support.db_servers import postgres_bin
from tests.support.fake_telegram import TOKEN, Call, FakeTelegram

#: The Bot API methods that deliver something to the member.
REPLY_METHODS = ("sendMessage", "sendDocument", "sendPhoto")


class HoldingTelegram(FakeTelegram):
    """A fake Bot API that, once armed, accepts a number of replies and holds the rest."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__(token)
        self._left: int | None = None
        self._release: asyncio.Event | None = None
        self.held = 0

    def accept(self, count: int) -> None:
        """From now on accept ``count`` replies, then hold every other (call in its loop)."""
        self._left = count
        self._release = asyncio.Event()

    def release(self) -> None:
        """Stop holding: the held replies of killed processes are dropped, not delivered."""
        self._left = None
        if self._release is not None:
            self._release.set()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["method"] in REPLY_METHODS and self._left is not None:
            if self._left <= 0:
                return await self._hold(request)
            self._left -= 1
        return await super()._handle(request)

    async def _hold(self, request: web.Request) -> web.Response:
        assert self._release is not None
        self.held += 1
        try:
            await self._release.wait()
        finally:
            self.held -= 1
        # Its sender is dead: Telegram never took it.
        return web.json_response({"ok": False, "error_code": 499}, status=499)


class ThreadedHoldingTelegram:
    """A HoldingTelegram in its own thread, for the synchronous end-to-end tests."""

    def __init__(self, fake: HoldingTelegram, loop: asyncio.AbstractEventLoop) -> None:
        self.fake = fake
        self._loop = loop

    @property
    def base_url(self) -> str:
        return self.fake.base_url

    def push(self, *updates: dict) -> None:
        self._loop.call_soon_threadsafe(self.fake.push, *updates)

    def accept(self, count: int) -> None:
        self._loop.call_soon_threadsafe(self.fake.accept, count)

    def release(self) -> None:
        self._loop.call_soon_threadsafe(self.fake.release)

    @property
    def held(self) -> int:
        return self.fake.held

    def calls_to(self, *methods: str) -> list[Call]:
        return self.fake.calls_to(*methods)

    def replies(self) -> list[Call]:
        """Every reply Telegram accepted, in order."""
        return self.fake.calls_to(*REPLY_METHODS)


@contextmanager
def holding_telegram_in_thread() -> Iterator[ThreadedHoldingTelegram]:
    """Run a HoldingTelegram in a background thread until the block ends."""
    loop = asyncio.new_event_loop()
    fake = HoldingTelegram()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(fake.start())
        started.set()
        loop.run_forever()
        fake.release()
        loop.run_until_complete(fake.stop())
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=serve, name="holding-telegram", daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("the fake Telegram server did not start")
    try:
        yield ThreadedHoldingTelegram(fake, loop)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body``; the HTTP status (0 when the server died before answering)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:  # connection reset or refused: the server was killed under it
        return 0


# --- killing and restarting ----------------------------------------------------------------------


def _listening_pids(port: int) -> set[int]:
    return {
        conn.pid
        for conn in psutil.net_connections(kind="tcp")
        if conn.laddr and conn.laddr.port == port and conn.status == "LISTEN" and conn.pid
    }


def kill_stack(servers: Servers) -> None:
    """SIGKILL the Rasa server (every worker) and the action server, as a power cut would."""
    actions_port = urlparse(servers.actions_url).port
    assert actions_port is not None
    groups = {servers.rasa_pid} | {os.getpgid(pid) for pid in _listening_pids(actions_port)}
    for group in groups:
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    for group in groups:
        with suppress(psutil.NoSuchProcess):
            psutil.Process(group).wait(timeout=30)


def restart_postgres(url: str) -> None:
    """``pg_ctl restart`` of the test server behind ``url`` (same directory, port, options)."""
    parsed = make_url(url)
    conn = psycopg2.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            (data,) = cursor.fetchone()
    finally:
        conn.close()
    log = str(Path(data).parent / "restart.log")  # the server's output, not our pipes
    command = [str(postgres_bin() / "pg_ctl"), "-D", data, "-l", log, "-m", "fast", "-w"]
    if os.geteuid() == 0:  # PostgreSQL runs as its own user (tests/support/db_servers.py)
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(
        [*command, "restart"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )


# --- what the knowledge base says -----------------------------------------------------------------


def inbound_statuses(database_url: str, channel: str, ids: list[str]) -> dict[str, str]:
    """The status of each stored message among ``ids`` (absent: not stored)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(InboundMessage.external_id, InboundMessage.status).where(
                    InboundMessage.channel == channel, InboundMessage.external_id.in_(ids)
                )
            )
            return {external_id: status for external_id, status in rows}
    finally:
        engine.dispose()


def parts_recorded(database_url: str) -> int:
    """Reply parts the servers counted as delivered, every message together."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.coalesce(func.sum(OutboxReply.parts_sent), 0))))
    finally:
        engine.dispose()
