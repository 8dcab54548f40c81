"""What every console module shares: the app's state, database calls off the event loop, the
client's address, safe redirects, the signed-in account and the interface language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.templating import Jinja2Templates

from console.i18n import DEFAULT, choose
from core import settings as core_settings
from kb.staff import StaffView

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
#: The cookie holding the interface language of a visitor not signed in.
LANGUAGE_COOKIE = "asmex_lang"


@dataclass
class Console:
    """The state of one console app (``app.state.console``)."""

    settings: core_settings.Settings
    engine: Engine
    sessions: sessionmaker
    templates: Jinja2Templates
    #: The current time, aware (tests move it forward).
    now: Callable[[], datetime]
    #: CONSOLE_SECRET's bytes: signs sessions and CSRF tokens.
    secret: bytes
    #: Rasa's conversation store (the tracker store's database), read by the analytics page;
    #: None when the conversations are not kept in an SQL database.
    tracker: Engine | None = None


def console_of(request: Request) -> Console:
    """The console state of the app serving ``request``."""
    return request.app.state.console  # type: ignore[no-any-return]


def _in_transaction(sessions: sessionmaker, fn: Callable[..., T], args: Any, kwargs: Any) -> T:
    with sessions() as session, session.begin():
        return fn(session, *args, **kwargs)


async def in_db(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(session, *args, **kwargs)`` in one transaction, in a worker thread."""
    sessions = console_of(request).sessions
    return await run_in_threadpool(_in_transaction, sessions, fn, args, kwargs)


def client_address(request: Request) -> str:
    """The client's IP address (a trusted proxy's X-Forwarded-For, when configured)."""
    return request.client.host if request.client else "unknown"


def safe_next(value: object, default: str = "/") -> str:
    """``value`` when it is a path on this site (no scheme, host or ``//``), else ``default``."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 500:
        return default
    parts = urlsplit(value)
    if value.startswith(("//", "/\\")) or parts.scheme or parts.netloc or "\\" in value:
        return default
    return value


def login_redirect(request: Request) -> RedirectResponse:
    """303 to the login page, coming back to this page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)


def staff_of(request: Request) -> StaffView | None:
    """The signed-in account the guard found for this request, if any."""
    return getattr(request.state, "staff", None)


def language_of(request: Request) -> str:
    """The interface language: one the request asked for (``?lang=``), the account's, the
    language cookie, else French."""
    asked = choose(getattr(request.state, "language", None))
    if asked is not None:
        return asked
    staff = staff_of(request)
    if staff is not None:
        return staff.language
    return choose(request.cookies.get(LANGUAGE_COOKIE)) or DEFAULT
