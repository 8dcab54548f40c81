"""A local SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives, and when.

``LocalSmtp`` runs in a thread of its own (aiosmtpd's Controller); with ``login`` it accepts
AUTH PLAIN/LOGIN for that one user and password only (over plain text: a test on loopback).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.project import free_port


@dataclass
class Received:
    """One message the server received: envelope, parsed message, monotonic arrival time."""

    sender: str
    recipients: list[str]
    message: EmailMessage
    at: float


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    #: Seconds the server waits before accepting a message (a slow mail server).
    delay: float = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, time.monotonic())
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"


class LocalSmtp:
    """The server; ``start()`` then ``stop()`` (or use it as a context manager)."""

    def __init__(
        self, login: tuple[str, str] | None = None, delay: float = 0.0, port: int = 0
    ) -> None:
        self.handler = _Handler(delay=delay)
        self.login = login
        self.port = port or free_port()
        kwargs: dict[str, Any] = {}
        if login is not None:
            kwargs = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self.login is not None
            and (data.login.decode(), data.password.decode()) == self.login
        )
        return AuthResult(success=ok, handled=False)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Received]:
        """Wait until ``count`` messages arrived; the messages."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} messages received, not {count}")
            time.sleep(0.01)
        return self.received

    def start(self) -> LocalSmtp:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> LocalSmtp:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
