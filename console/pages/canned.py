"""Canned replies, for admins: list, create and edit (a title and a text in French, Arabic and
English), delete after a confirmation. Each change is written to the audit log (the title's
length and the reply's id, never its text). The reply form reads them with
kb.canned.canned_replies_in."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console import csrf
from console.auth import guard
from console.render import error_page, render
from console.web import in_db, staff_of
from core.redact import user_ref
from kb import audit
from kb.canned import (
    FIELDS,
    MAX_TEXT,
    MAX_TITLE,
    CannedReplyError,
    CannedReplyView,
    create_canned_reply,
    delete_canned_reply,
    get_canned_reply,
    list_canned_replies,
    update_canned_reply,
)

logger = logging.getLogger(__name__)


def _actor(request: Request) -> audit.Actor:
    staff = staff_of(request)
    assert staff is not None  # the guard let a signed-in admin through
    return audit.Actor(staff.id, staff.email)


def _reply_id(request: Request) -> int | None:
    """The reply id of the path, or None when it is not a (reasonable) number."""
    text = request.path_params["reply_id"]
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    return int(text)


def _record(session: Session, actor: audit.Actor, action: str, reply: CannedReplyView) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        target_kind="canned_reply",
        target_id=reply.id,
        details={"title_length": len(reply.title)},
    )


def _save(
    session: Session, *, reply_id: int | None, values: dict[str, str], actor: audit.Actor
) -> CannedReplyView:
    if reply_id is None:
        reply = create_canned_reply(session, values=values)
        _record(session, actor, "canned.create", reply)
    else:
        reply = update_canned_reply(session, reply_id=reply_id, values=values)
        _record(session, actor, "canned.update", reply)
    return reply


def _delete(session: Session, *, reply_id: int, actor: audit.Actor) -> CannedReplyView:
    reply = delete_canned_reply(session, reply_id=reply_id)
    _record(session, actor, "canned.delete", reply)
    return reply


def _form(
    request: Request,
    values: dict[str, str],
    *,
    reply_id: int | None,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "values": values,
        "reply_id": reply_id,
        "fields": FIELDS,
        "problems": problems or {},
        "max_title": MAX_TITLE,
        "max_text": MAX_TEXT,
    }
    return render(request, "canned_form.html", context, status=status)


def _values(reply: CannedReplyView) -> dict[str, str]:
    return {
        "title": reply.title,
        "text_fr": reply.texts.fr,
        "text_ar": reply.texts.ar,
        "text_en": reply.texts.en,
    }


@guard(role="admin")
async def list_page(request: Request) -> Response:
    """Every canned reply, by title, with its three texts."""
    replies = await in_db(request, list_canned_replies)
    return render(request, "canned.html", {"replies": replies})


@guard(role="admin")
async def new_form(request: Request) -> Response:
    """An empty form."""
    return _form(request, dict.fromkeys(FIELDS, ""), reply_id=None)


async def _submit(request: Request, reply_id: int | None) -> Response:
    form = await csrf.read_form(request)
    values = {name: str(form.get(name) or "") for name in FIELDS}
    try:
        saved = await in_db(request, _save, reply_id=reply_id, values=values, actor=_actor(request))
    except CannedReplyError as wrong:
        return _form(request, values, reply_id=reply_id, problems=wrong.problems, status=400)
    staff = staff_of(request)
    logger.info(
        "console: %s saved canned reply %d", user_ref(f"staff:{staff.id if staff else 0}"), saved.id
    )
    return RedirectResponse("/canned", status_code=303)


@guard(role="admin")
async def create(request: Request) -> Response:
    """Check and create (400 with the form and its problems); 303 to the list."""
    return await _submit(request, None)


@guard(role="admin")
async def edit_form(request: Request) -> Response:
    """The form of a canned reply, filled in; 404 for an unknown one."""
    reply_id = _reply_id(request)
    reply = await in_db(request, get_canned_reply, reply_id=reply_id) if reply_id else None
    if reply is None:
        return error_page(request, 404)
    return _form(request, _values(reply), reply_id=reply.id)


@guard(role="admin")
async def edit(request: Request) -> Response:
    """Check and change (400 with the form and its problems); 404 for an unknown one."""
    reply_id = _reply_id(request)
    reply = await in_db(request, get_canned_reply, reply_id=reply_id) if reply_id else None
    if reply is None:
        return error_page(request, 404)
    return await _submit(request, reply.id)


@guard(role="admin")
async def confirm_delete(request: Request) -> Response:
    """The confirmation page of a deletion; 404 for an unknown reply."""
    reply_id = _reply_id(request)
    reply = await in_db(request, get_canned_reply, reply_id=reply_id) if reply_id else None
    if reply is None:
        return error_page(request, 404)
    return render(request, "canned_confirm.html", {"reply": reply})


@guard(role="admin")
async def delete(request: Request) -> Response:
    """Delete (confirmed by the form); 303 to the list, 404 for an unknown reply."""
    reply_id = _reply_id(request)
    reply = await in_db(request, get_canned_reply, reply_id=reply_id) if reply_id else None
    if reply is None:
        return error_page(request, 404)
    await in_db(request, _delete, reply_id=reply.id, actor=_actor(request))
    return RedirectResponse("/canned", status_code=303)


routes = [
    Route("/canned", list_page, methods=["GET"], name="canned"),
    Route("/canned/new", new_form, methods=["GET"], name="canned_new"),
    Route("/canned/new", create, methods=["POST"], name="canned_create"),
    Route("/canned/{reply_id}/edit", edit_form, methods=["GET"], name="canned_edit_form"),
    Route("/canned/{reply_id}/edit", edit, methods=["POST"], name="canned_edit"),
    Route("/canned/{reply_id}/delete", confirm_delete, methods=["GET"], name="canned_confirm"),
    Route("/canned/{reply_id}/delete", delete, methods=["POST"], name="canned_delete"),
]
