"""The home page: a dashboard for every signed-in account (placeholder for the coming pages)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.auth import guard
from console.render import render

#: The pages the later parts add, as the home page announces them (string keys).
COMING = ("coming_handoffs",)


@guard()
async def home(request: Request) -> Response:
    """The dashboard."""
    return render(request, "home.html", {"coming": COMING})


routes = [Route("/", home, methods=["GET"], name="home")]
