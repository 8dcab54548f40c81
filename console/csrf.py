"""Cross-site request forgery: every state-changing request carries a token bound to a cookie.

Signed double submit: the browser holds a random seed in an HttpOnly cookie; each form carries
``csrf_token``, an HMAC of that seed under CONSOLE_SECRET. Another site can neither read the
seed nor compute the token, and a cookie planted by a neighbouring site fails the HMAC without
the secret. The seed is renewed at login. The token works before login too, so the login
form is protected without a session.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Final

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from console.web import console_of

COOKIE: Final = "asmex_csrf"
FIELD: Final = "csrf_token"
#: Largest form the console reads: a few dozen fields (and a file where the guard allows one).
MAX_FIELDS: Final = 50
_SEED_RE: Final = re.compile(r"[A-Za-z0-9_-]{43}")


def _token(secret: bytes, seed: str) -> str:
    return hmac.new(secret, b"csrf:" + seed.encode("ascii"), hashlib.sha256).hexdigest()


def _seed(request: Request) -> str:
    seed = getattr(request.state, "csrf_seed", None)
    if seed is None:
        cookie = request.cookies.get(COOKIE, "")
        seed = cookie if _SEED_RE.fullmatch(cookie) else renew(request)
        request.state.csrf_seed = seed
    return str(seed)


def renew(request: Request) -> str:
    """A new seed for this browser (sent with the response by ``set_cookie``)."""
    seed = secrets.token_urlsafe(32)
    request.state.csrf_seed = seed
    request.state.csrf_new = True
    return seed


def csrf_token(request: Request) -> str:
    """The token the page's forms carry in their ``csrf_token`` field."""
    return _token(console_of(request).secret, _seed(request))


def set_cookie(request: Request, response: Response) -> None:
    """Send the seed cookie when this request made a new one."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(
            COOKIE,
            request.state.csrf_seed,
            httponly=True,
            samesite="lax",
            secure=console_of(request).settings.console_secure_cookies,
            path="/",
        )


async def read_form(request: Request) -> FormData:
    """The request's form (read once, then cached on the request); files only where the
    endpoint's guard accepts them (``guard(files=...)``)."""
    files = getattr(request.state, "max_files", 0)
    return await request.form(max_files=files, max_fields=MAX_FIELDS)


async def is_valid(request: Request) -> bool:
    """Whether the request's form carries the token of its seed cookie."""
    seed = request.cookies.get(COOKIE, "")
    sent = (await read_form(request)).get(FIELD)
    if not _SEED_RE.fullmatch(seed) or not isinstance(sent, str):
        return False
    return hmac.compare_digest(_token(console_of(request).secret, seed), sent)
