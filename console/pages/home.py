"""The home page: a dashboard for every signed-in account, with the requests for a person
waiting for them (their region's for a delegate)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.auth import guard
from console.render import render
from console.web import in_db, staff_of
from kb.handoff_inbox import inbox


@guard()
async def home(request: Request) -> Response:
    """The dashboard."""
    staff = staff_of(request)
    assert staff is not None
    region = staff.region if staff.role == "delegate" else None
    waiting = await in_db(request, inbox, status="open", region=region)
    return render(request, "home.html", {"waiting": len(waiting)})


routes = [Route("/", home, methods=["GET"], name="home")]
