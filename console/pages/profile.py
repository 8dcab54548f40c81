"""The account page: each staff member sees their account and chooses the console's language
(French, Arabic, English), stored on the account so every device shows it (Arabic right to
left). The header's language switch (console.pages.session) stores it the same way."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console import csrf
from console.auth import guard
from console.i18n import choose
from console.pages.session import remember_language, save_language
from console.render import error_page, render
from console.web import staff_of


@guard()
async def profile(request: Request) -> Response:
    """The account and its language choice (``?saved=1`` after a change)."""
    return render(request, "profile.html", {"saved": request.query_params.get("saved") == "1"})


@guard()
async def change(request: Request) -> Response:
    """Store the chosen language on the account (audited); 303 back, 400 for no language."""
    form = await csrf.read_form(request)
    language = choose(form.get("language"))
    staff = staff_of(request)
    if language is None or staff is None:
        return error_page(request, 400)
    await save_language(request, staff, language)
    response = RedirectResponse("/profile?saved=1", status_code=303)
    remember_language(request, response, language)
    return response


routes = [
    Route("/profile", profile, methods=["GET"], name="profile"),
    Route("/profile", change, methods=["POST"], name="profile_change"),
]
