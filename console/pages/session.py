"""Signing in and out, the interface language, and the health check.

A failed login shows the form again, with one message for a wrong address, a wrong password
and a locked pair alike (nothing tells an attacker which accounts exist), and no session.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from console import csrf
from console.auth import guard, sign_in, sign_out
from console.i18n import choose
from console.render import error_page, render
from console.web import LANGUAGE_COOKIE, client_address, console_of, in_db, safe_next, staff_of
from core.redact import user_ref
from kb import audit
from kb.passwords import MAX_LENGTH
from kb.staff import LOCK_FOR, LoginOutcome, StaffView, authenticate, set_language

logger = logging.getLogger(__name__)

#: The console's own actor in the audit log (a lockout is nobody's action).
CONSOLE_ACTOR: Final = audit.Actor(None, "console")


def _form(
    request: Request, *, status: int = 200, error: str | None = None, **values: str
) -> Response:
    next_page = safe_next(values.get("next") or request.query_params.get("next"))
    context = {"error": error, "email": values.get("email", ""), "next": next_page}
    return render(request, "login.html", context, status=status)


@guard(anonymous=True)
async def login_form(request: Request) -> Response:
    """The login form (``?lang=`` picks its language); a signed-in account goes on."""
    if staff_of(request) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    request.state.language = choose(request.query_params.get("lang"))
    response = _form(request)
    if request.state.language:
        remember_language(request, response, request.state.language)
    return response


def _login(
    session: Session, *, email: str, password: str, address: str, now: datetime
) -> LoginOutcome:
    outcome = authenticate(session, email=email, password=password, address=address, now=now)
    if outcome.locked_now:
        audit.record(
            session,
            actor=CONSOLE_ACTOR,
            action="staff.lock",
            target_kind="staff",
            target_id=outcome.staff_id,
            details={"minutes": int(LOCK_FOR.total_seconds() // 60)},
            at=now,
        )
    return outcome


@guard(anonymous=True)
async def login(request: Request) -> Response:
    """Check the form; 303 to ``next`` (or /) with a new session, else the form again."""
    form = await csrf.read_form(request)
    email, password = form.get("email"), form.get("password")
    next_page = safe_next(form.get("next"))
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        shown = email if isinstance(email, str) else ""
        return _form(request, status=400, error="login_missing", email=shown[:254], next=next_page)
    address = client_address(request)
    if len(email) > 254 or len(password) > MAX_LENGTH:
        outcome = LoginOutcome(None, "unknown")
    else:
        now = console_of(request).now()
        outcome = await in_db(
            request, _login, email=email, password=password, address=address, now=now
        )
    if outcome.staff is None:
        who = user_ref(f"staff:{outcome.staff_id}") if outcome.staff_id else "an unknown account"
        logger.info(
            "console: login refused (%s) for %s from %s",
            outcome.reason,
            who,
            user_ref(f"ip:{address}"),
        )
        return _form(request, error="login_failed", email=email[:254], next=next_page)
    sign_in(request, outcome.staff)
    logger.info("console: %s signed in", user_ref(f"staff:{outcome.staff.id}"))
    response = RedirectResponse(next_page, status_code=303)
    csrf.set_cookie(request, response)
    return response


@guard(anonymous=True)
async def logout(request: Request) -> Response:
    """End the session; 303 to the login page."""
    sign_out(request)
    response = RedirectResponse("/login", status_code=303)
    csrf.set_cookie(request, response)
    return response


def _set_language(session: Session, *, staff_id: int, actor: str, language: str) -> None:
    set_language(session, staff_id=staff_id, language=language)
    audit.record(
        session,
        actor=audit.Actor(staff_id, actor),
        action="staff.language",
        target_kind="staff",
        target_id=staff_id,
        details={"language": language},
    )


@guard(anonymous=True)
async def change_language(request: Request) -> Response:
    """Switch the interface language (stored on the account when signed in); 303 back."""
    form = await csrf.read_form(request)
    language = choose(form.get("language"))
    if language is None:
        return error_page(request, 400)
    staff = staff_of(request)
    if staff is not None:
        await save_language(request, staff, language)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    remember_language(request, response, language)
    return response


async def save_language(request: Request, staff: StaffView, language: str) -> None:
    """Store ``language`` on the account (and audit it) when it changes."""
    if staff.language != language:
        await in_db(request, _set_language, staff_id=staff.id, actor=staff.email, language=language)


def remember_language(request: Request, response: Response, language: str) -> None:
    """The language cookie: the login page of this browser speaks it too."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=console_of(request).settings.console_secure_cookies,
    )


@guard(anonymous=True)
async def health(_request: Request) -> Response:
    """200 while the console serves (no data, no database)."""
    return JSONResponse({"status": "ok"})


routes = [
    Route("/login", login_form, methods=["GET"], name="login_form"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/language", change_language, methods=["POST"], name="language"),
    Route("/health", health, methods=["GET"], name="health"),
]
