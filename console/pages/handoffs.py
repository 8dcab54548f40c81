"""Live handoffs: the inbox (open, taken, closed, how long each member has waited) and one
handoff (the member's language, channel and region, the last turns with the intents and
confidences the bot read, the form's slots, their registrations, the transcript) with Take,
Reply (a canned reply picked, then edited) and Hand back to the assistant.

Delegates see only the handoffs of their own region (403 for another's); admins see all.
Every POST is checked for its CSRF token (console.auth.guard) and audited. A POST changes the
conversation only through the Rasa server's console channel (console.rasa_door), which tells
the member on their channel; the page shows what became of that delivery.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console import csrf, rasa_door
from console.auth import guard
from console.pages.events import actor_of
from console.render import error_page, render
from console.web import console_of, in_db, staff_of
from kb import audit
from kb.canned import canned_replies_in
from kb.handoff_inbox import STATUSES, HandoffDetail, detail, handoff_region, inbox
from kb.handoff_live import STAFF_NOTES
from kb.views import NotFoundError

logger = logging.getLogger(__name__)

#: The longest handoff id a path may name.
MAX_ID_DIGITS: Final = 12
MAX_REPLY: Final = 4096
#: The audit action of each door action.
AUDIT_ACTIONS: Final = {
    "take": "handoff.take",
    "reply": "handoff.reply",
    "hand-back": "handoff.hand_back",
}
#: What a delivery status says on the page.
DONE_KEYS: Final = ("take", "reply", "hand-back")


def _region_filter(request: Request) -> str | None:
    """The region a delegate is confined to (None for admins: every region)."""
    staff = staff_of(request)
    assert staff is not None  # guarded
    return staff.region if staff.role == "delegate" else None


def _handoff_id(request: Request) -> int | None:
    number = request.path_params["handoff_id"]
    if not number.isascii() or not number.isdigit() or len(number) > MAX_ID_DIGITS:
        return None
    return int(number)


async def _allowed(request: Request, handoff_id: int) -> Response | None:
    """None when the signed-in account may see the handoff; else the 404 or 403 page."""
    try:
        region = await in_db(request, handoff_region, handoff_id=handoff_id)
    except NotFoundError:
        return error_page(request, 404)
    staff = staff_of(request)
    assert staff is not None
    if staff.role == "delegate" and (region is None or region != staff.region):
        return error_page(request, 403)
    return None


@guard()
async def inbox_page(request: Request) -> Response:
    """The inbox, one status at a time (open by default); 400 for an unknown status."""
    status = request.query_params.get("status") or "open"
    if status not in STATUSES:
        return error_page(request, 400)
    rows = await in_db(request, inbox, status=status, region=_region_filter(request))
    now = console_of(request).now()
    context = {
        "rows": rows,
        "status": status,
        "statuses": STATUSES,
        "now": now,
        "live_seconds": console_of(request).settings.console_live_seconds,
    }
    return render(request, "handoffs.html", context)


def _page_data(session: Session, *, handoff_id: int) -> dict[str, Any]:
    found = detail(session, handoff_id=handoff_id)
    return {
        "handoff": found,
        "canned": canned_replies_in(session, language=found.row.language),
    }


@guard()
async def handoff_page(request: Request) -> Response:
    """One handoff; ``?canned=<id>`` fills the reply with that canned reply, in the member's
    language, to edit before sending."""
    handoff_id = _handoff_id(request)
    if handoff_id is None:
        return error_page(request, 404)
    refused = await _allowed(request, handoff_id)
    if refused is not None:
        return refused
    data = await in_db(request, _page_data, handoff_id=handoff_id)
    found: HandoffDetail = data["handoff"]
    chosen = request.query_params.get("canned", "")
    draft = next((c.text for c in data["canned"] if str(c.id) == chosen), "")
    context = {
        **data,
        "draft": draft,
        "chosen": chosen,
        "now": console_of(request).now(),
        "done": request.query_params.get("done", ""),
        "delivery": request.query_params.get("delivery", ""),
        "row": found.row,
        "staff_notes": STAFF_NOTES,
        "live_seconds": console_of(request).settings.console_live_seconds,
    }
    return render(request, "handoff.html", context)


async def _act(request: Request, action: str) -> Response:
    """Take, reply or hand back through the Rasa server; audited; back to the handoff."""
    handoff_id = _handoff_id(request)
    if handoff_id is None:
        return error_page(request, 404)
    refused = await _allowed(request, handoff_id)
    if refused is not None:
        return refused
    form = await csrf.read_form(request)
    text = ""
    if action == "reply":
        value = form.get("text")
        text = value.strip() if isinstance(value, str) else ""
        if not text or len(text) > MAX_REPLY:
            return error_page(request, 400)
    staff = staff_of(request)
    assert staff is not None
    config = console_of(request).settings
    answer = await rasa_door.call(config, action, handoff_id, staff.id, text)
    if answer.status == 409:
        return error_page(request, 409, "handoff_conflict")
    if answer.status == 404:
        return error_page(request, 404)
    if not answer.ok:
        logger.warning("console: the Rasa server answered %d to %s", answer.status, action)
        return error_page(request, 502, "handoff_rasa_down")
    await in_db(
        request,
        audit.record,
        actor=actor_of(request),
        action=AUDIT_ACTIONS[action],
        target_kind="handoff",
        target_id=handoff_id,
        details={"delivery": answer.delivery, "length": len(text)},
    )
    target = f"/handoffs/{handoff_id}?done={action}&delivery={answer.delivery}"
    return RedirectResponse(target, status_code=303)


@guard()
async def take(request: Request) -> Response:
    """Take the conversation: the member's messages come here until it is handed back."""
    return await _act(request, "take")


@guard()
async def reply(request: Request) -> Response:
    """Send the reply to the member on their channel."""
    return await _act(request, "reply")


@guard()
async def hand_back(request: Request) -> Response:
    """Give the conversation back to the assistant; the member may rate the help."""
    return await _act(request, "hand-back")


routes = [
    Route("/handoffs", inbox_page, methods=["GET"], name="handoffs"),
    Route("/handoffs/{handoff_id}", handoff_page, methods=["GET"], name="handoff"),
    Route("/handoffs/{handoff_id}/take", take, methods=["POST"], name="handoff_take"),
    Route("/handoffs/{handoff_id}/reply", reply, methods=["POST"], name="handoff_reply"),
    Route("/handoffs/{handoff_id}/hand-back", hand_back, methods=["POST"], name="handoff_back"),
]
