"""Who is calling: sessions signed with CONSOLE_SECRET, and the guard every endpoint wears.

The session cookie (HttpOnly, SameSite=Lax, Secure when CONSOLE_SECURE_COOKIES) holds the
account's id and a stamp of its password: a password changed or an account removed ends its
sessions at their next request. Sessions last SESSION_MAX_AGE from login.

``guard`` checks, in this order: the CSRF token of a state-changing request (403), a session
(else 303 to the login page for a page, 401 for anything else), the role (403).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from console import csrf
from console.render import error_page
from console.web import console_of, in_db, login_redirect
from kb.staff import StaffView, get_staff

logger = logging.getLogger(__name__)

SESSION_COOKIE: Final = "asmex_console"
SESSION_MAX_AGE: Final = 8 * 3600
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
#: The attribute that marks an endpoint as guarded (create_app refuses a route without it).
GUARDED: Final = "console_guard"

Endpoint = Callable[[Request], Awaitable[Response]]


def _stamp(secret: bytes, staff: StaffView) -> str:
    message = f"session:{staff.id}:{staff.credential_stamp}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def sign_in(request: Request, staff: StaffView) -> None:
    """Start a new session for ``staff`` (a new cookie, and a new CSRF seed)."""
    request.session.clear()
    request.session.update(staff=staff.id, stamp=_stamp(console_of(request).secret, staff))
    request.state.staff = staff
    csrf.renew(request)


def sign_out(request: Request) -> None:
    """End the session (the cookie is cleared) and renew the CSRF seed."""
    request.session.clear()
    request.state.staff = None
    csrf.renew(request)


async def signed_in(request: Request) -> StaffView | None:
    """The active account of the request's session whose password has not changed since."""
    staff_id, stamp = request.session.get("staff"), request.session.get("stamp")
    if not isinstance(staff_id, int) or not isinstance(stamp, str):
        return None
    staff = await in_db(request, get_staff, staff_id=staff_id)
    if staff is None or not hmac.compare_digest(stamp, _stamp(console_of(request).secret, staff)):
        request.session.clear()
        return None
    return staff


def guard(
    *, role: str | None = None, anonymous: bool = False, files: int = 0
) -> Callable[[Endpoint], Endpoint]:
    """Wrap an endpoint: CSRF on state-changing methods, a session unless ``anonymous``, and
    ``role`` when given. ``request.state.staff`` holds the account (None when anonymous).
    The endpoint's form may carry up to ``files`` files (none by default)."""

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            request.state.max_files = files
            if request.method not in SAFE_METHODS and not await csrf.is_valid(request):
                logger.info(
                    "console: %s %s refused: no valid CSRF token", request.method, _path(request)
                )
                return error_page(request, 403, "error_csrf")
            request.state.staff = staff = await signed_in(request)
            if staff is None and not anonymous:
                if request.method in ("GET", "HEAD"):
                    return login_redirect(request)
                return error_page(request, 401)
            if role is not None and (staff is None or staff.role != role):
                return error_page(request, 403)
            return await endpoint(request)

        setattr(guarded, GUARDED, True)
        return guarded

    return wrap


def _path(request: Request) -> str:
    return request.url.path[:100]
