"""Fixtures of the console tests: an app on a migrated database with two accounts, a clock
the tests move, browsers (test clients) at different addresses, and signing in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import pytest
from httpx2 import Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from console.app import create_app
from core import settings
from kb.staff import StaffView, create_staff

SECRET = "console-test-secret-0123456789abcdef0123"
ADMIN_EMAIL, ADMIN_PASSWORD = "nadia.admin@asmex.ma", "sel-et-menthe-2026"
DELEGATE_EMAIL, DELEGATE_PASSWORD = "khalid@asmex.ma", "tifawin-agadir-2026"
HERE, THERE = "192.0.2.10", "198.51.100.7"
_TOKEN_RE = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


class Now:
    """The console's clock in these tests: fixed until a test moves it."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture()
def now() -> Now:
    return Now()


@pytest.fixture()
def accounts(engine: Engine) -> dict[str, StaffView]:
    with Session(engine) as session, session.begin():
        return {
            "admin": create_staff(
                session, email=ADMIN_EMAIL, role="admin", password=ADMIN_PASSWORD
            ),
            "delegate": create_staff(
                session,
                email=DELEGATE_EMAIL,
                role="delegate",
                region="souss-massa",
                password=DELEGATE_PASSWORD,
                language="ar",
            ),
        }


def console_settings(db_url: str, **environ: str) -> settings.Settings:
    return settings.load({"DATABASE_URL": db_url, "CONSOLE_SECRET": SECRET, **environ})


@pytest.fixture()
def app(db_url: str, engine: Engine, accounts: dict[str, StaffView], now: Now) -> Starlette:
    return create_app(console_settings(db_url), now=now)


Browser = Callable[..., TestClient]


@pytest.fixture()
def browser(app: Starlette) -> Iterator[Browser]:
    """``browser(address=HERE)``: a new test client (its own cookies) at that address."""
    opened: list[TestClient] = []

    def open_one(address: str = HERE, target: Starlette | None = None) -> TestClient:
        client = TestClient(
            target or app,
            base_url="http://127.0.0.1:8080",
            client=(address, 50000),
            follow_redirects=False,
        )
        client.__enter__()
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        client.__exit__(None, None, None)


def token_of(html: str) -> str:
    """The CSRF token of the page's first form."""
    found = _TOKEN_RE.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def page_token(client: TestClient, path: str = "/login") -> str:
    return token_of(client.get(path).text)


def sign_in(client: TestClient, email: str, password: str, **extra: str) -> Response:
    """Post the login form as a browser would (the form's token, its cookie)."""
    data = {"email": email, "password": password, "csrf_token": page_token(client), **extra}
    return client.post("/login", data=data)


def session_cookie(response: Response) -> str | None:
    """The Set-Cookie header of the console's session, if the response sets it."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("asmex_console="):
            return header
    return None
