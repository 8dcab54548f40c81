"""The staff console's web app: ``create_app(settings)`` builds it (nothing runs at import).

Starlette with Jinja2 templates; sessions signed with CONSOLE_SECRET; every route guarded
(console.auth.guard, checked here); security headers on every response; the static files
vendored in console/static/. Database errors answer 503, anything unexpected 500, in the
reader's language. The lifespan runs the handoff watcher (outbound.handoff_watch.watch).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timezone
from typing import Final

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console import auth, pages
from console.render import error_page
from console.web import HERE, Console
from core import settings as core_settings
from kb.session import describe_error, make_engine, make_session_factory
from outbound import handoff_watch

logger = logging.getLogger(__name__)

#: Largest request body read (a login form is well under 1 KB); 413 beyond.
MAX_BODY: Final = 64 * 1024
SECURITY_HEADERS: Final = {
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response, and ``Cache-Control: no-store`` to all but
    the static files (pages may show personal data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if not static:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    return error_page(request, status)


async def _database_error(request: Request, exc: Exception) -> Response:
    logger.error("console: database error: %s", describe_error(exc))
    return error_page(request, 503)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.error("console: unexpected %s on %s", type(exc).__name__, request.url.path[:100])
    return error_page(request, 500)


def _checked(routes: list[BaseRoute]) -> list[BaseRoute]:
    """``routes``, once each endpoint is known to wear console.auth.guard."""
    for route in routes:
        if isinstance(route, Route) and not getattr(route.endpoint, auth.GUARDED, False):
            raise RuntimeError(f"console route {route.path} is not guarded (console.auth.guard)")
    return routes


def create_app(
    settings: core_settings.Settings,
    *,
    now: Callable[[], datetime] | None = None,
    engine: Engine | None = None,
    tracker_url: str | None = None,
    watch_every: float | None = handoff_watch.WATCH_EVERY,
) -> Starlette:
    """The console app; SettingsError when CONSOLE_SECRET is missing or a placeholder.

    ``tracker_url``: Rasa's conversation store, read (never written) by the analytics page.
    While it serves, the handoff watcher runs every ``watch_every`` seconds (None: not at
    all): it escalates the requests nobody took in time and retries failed staff alerts.
    """
    secret = core_settings.check_secret("CONSOLE_SECRET", settings.console_secret)
    engine = engine or make_engine(settings.database_url, pool_pre_ping=True)
    console = Console(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        templates=Jinja2Templates(directory=HERE / "templates"),
        now=now or (lambda: datetime.now(timezone.utc)),
        secret=secret.encode("utf-8"),
        tracker=make_engine(tracker_url, pool_pre_ping=True) if tracker_url else None,
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        watcher = None
        if watch_every:
            watcher = asyncio.create_task(
                handoff_watch.watch(
                    console.sessions, now=console.now, config=settings, every=watch_every
                )
            )
        yield
        if watcher is not None:
            watcher.cancel()
            with suppress(asyncio.CancelledError):
                await watcher
        engine.dispose()
        if console.tracker is not None:
            console.tracker.dispose()

    routes = _checked(pages.routes())
    routes.append(Mount("/static", StaticFiles(directory=HERE / "static"), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=auth.SESSION_COOKIE,
                max_age=auth.SESSION_MAX_AGE,
                same_site="lax",
                https_only=settings.console_secure_cookies,
            ),
        ],
        exception_handlers={
            HTTPException: _http_error,
            SQLAlchemyError: _database_error,
            Exception: _unexpected,
        },
        lifespan=lifespan,
        max_body_size=MAX_BODY,
    )
    app.state.console = console
    return app
