"""Pages as HTML: a template with what every page shows (strings, direction, account, nav, the
CSRF token), and the error page in the reader's language."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from console import csrf
from console.i18n import LANGUAGES, NAMES, STRINGS, Translator
from console.nav import nav_for
from console.web import console_of, language_of, staff_of


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> Response:
    """The template rendered with the page's context and ``context``."""
    t = Translator(language_of(request))
    staff = staff_of(request)
    page = {
        "t": t,
        "lang": t.language,
        "dir": t.direction,
        "languages": [(code, NAMES[code]) for code in LANGUAGES],
        "staff": staff,
        "nav": nav_for(staff),
        "csrf_token": csrf.csrf_token(request),
        "here": request.url.path,
        **(context or {}),
    }
    templates = console_of(request).templates
    response = templates.TemplateResponse(request, template, page, status_code=status)
    csrf.set_cookie(request, response)
    return response


def error_page(request: Request, status: int, key: str | None = None) -> Response:
    """The error page for ``status``, saying ``key``, else ``error_<status>`` (or the generic
    client or server error)."""
    if key is None:
        key = f"error_{status}"
        if key not in STRINGS:
            key = "error_400" if status < 500 else "error_500"
    return render(request, "error.html", {"message_key": key}, status=status)
