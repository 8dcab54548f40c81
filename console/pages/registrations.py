"""An event's registrations, for admins: list and filter by status, change a status (the
member is told on their channel, in their language), export as CSV.

A status change and its notice are written in one transaction (kb.status_notices), then the
notice is sent at once through outbound.notify, as alerts are; when it cannot be (no channel
configured, a failure) it stays queued for ``notify-pending``. The export is the one of
``export-registrations`` (kb.files.registration_csv), every cell neutralised against formulas.

These routes come before the events group's ``/events/{slug}/{action}`` (console.pages).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console import csrf
from console.auth import guard
from console.pages.events import actor_of, today_of
from console.render import error_page, render
from console.web import console_of, in_db
from core.redact import user_ref
from kb import audit
from kb.events import event_row, get_event_by_slug
from kb.files.registration_csv import registrations_csv
from kb.registrations import (
    AlreadyRegisteredError,
    StatusChange,
    list_all_registrations,
    set_registration_status,
)
from kb.status_notices import queue_status_notice, recipients
from kb.views import NotFoundError, RegistrationView
from nlu.vocabulary.canonical import REGISTRATION_STATUSES
from outbound import notify

logger = logging.getLogger(__name__)

#: What the export's file name keeps of a slug.
_FILE_NAME_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_-]")
#: The longest registration id a path may name.
MAX_ID_DIGITS: Final = 12
#: The audit action of each status set.
AUDIT_ACTIONS: Final = {
    "confirmed": "registration.confirm",
    "waitlisted": "registration.waitlist",
    "cancelled": "registration.cancel",
}


def _status_filter(request: Request) -> str | None | bool:
    """The status asked for (None: all), or False when it is not one."""
    status = (request.query_params.get("status") or "").strip() or None
    return False if status is not None and status not in REGISTRATION_STATUSES else status


def _listing(session: Session, *, slug: str, status: str | None, today: date) -> dict[str, Any]:
    event = get_event_by_slug(session, slug=slug, today=today)
    if event is None:
        raise NotFoundError(slug)
    every = list_all_registrations(session, event_slug=slug)
    shown = [r for r in every if status is None or r.status == status]
    users = {r.user_id for r in shown if r.user_id is not None}
    return {
        "event": event,
        "registrations": shown,
        "counts": Counter(r.status for r in every),
        "total": len(every),
        "members": recipients(session, user_ids=users),
    }


@guard(role="admin")
async def list_page(request: Request) -> Response:
    """The event's registrations, of one status when asked; 400 for an unknown status,
    404 for an unknown event."""
    status = _status_filter(request)
    if status is False:
        return error_page(request, 400)
    slug = request.path_params["slug"]
    try:
        found = await in_db(
            request, _listing, slug=slug, status=status or None, today=today_of(request)
        )
    except NotFoundError:
        return error_page(request, 404)
    context = {**found, "status": status, "statuses": REGISTRATION_STATUSES}
    return render(request, "registrations.html", context)


def _export(
    session: Session, *, slug: str, status: str | None, actor: audit.Actor
) -> list[RegistrationView] | None:
    """The event's registrations (of one status when given), the export audited; None for
    an unknown event."""
    if event_row(session, slug=slug) is None:
        return None
    rows = list_all_registrations(session, event_slug=slug, status=status)
    audit.record(
        session,
        actor=actor,
        action="registration.export",
        target_kind="event",
        target_id=slug,
        details={"status": status or "", "rows": len(rows)},
    )
    return rows


@guard(role="admin")
async def export(request: Request) -> Response:
    """The CSV export of the event's registrations (the filter applied), UTF-8 with a BOM
    for spreadsheets; 400 for an unknown status, 404 for an unknown event."""
    status = _status_filter(request)
    if status is False:
        return error_page(request, 400)
    slug = request.path_params["slug"]
    rows = await in_db(request, _export, slug=slug, status=status or None, actor=actor_of(request))
    if rows is None:
        return error_page(request, 404)
    name = _FILE_NAME_UNSAFE.sub("_", slug)[:80] + (f"-{status}" if status else "")
    return Response(
        "\ufeff" + registrations_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="registrations-{name}.csv"'},
    )


@dataclass(frozen=True)
class Changed:
    """A status change as the page reports it."""

    change: StatusChange
    queued: bool


def _change(
    session: Session, *, slug: str, registration_id: int, status: str, actor: audit.Actor
) -> Changed:
    """Set the status; when it changed, queue the member's notice and audit it."""
    change = set_registration_status(
        session, event_slug=slug, registration_id=registration_id, status=status
    )
    if not change.changed:
        return Changed(change, queued=False)
    user_id = change.registration.user_id
    queued = user_id is not None and queue_status_notice(
        session, user_id=user_id, event_id=change.event_id, status=status
    )
    audit.record(
        session,
        actor=actor,
        action=AUDIT_ACTIONS[status],
        target_kind="registration",
        target_id=registration_id,
        details={"event": slug, "before": change.before, "after": status, "notice": queued},
    )
    return Changed(change, queued=queued)


def _notice_key(changed: Changed, sent: notify.NewEventAlerts | None) -> str:
    """The string key saying what became of the member's notice."""
    if not changed.change.changed:
        return "notice_unchanged"
    if changed.change.registration.user_id is None:
        return "notice_no_member"
    if sent is None or sent.summary is None:
        return "notice_pending"
    if sent.summary.count("sent"):
        return "notice_sent"
    return "notice_failed" if sent.summary.count("failed") else "notice_pending"


@guard(role="admin")
async def change_status(request: Request) -> Response:
    """Set a registration's status and tell its member; 400 for an unknown status, 404 for
    an unknown event or registration, 409 when its member is already confirmed."""
    slug, number = request.path_params["slug"], request.path_params["registration_id"]
    if not number.isascii() or not number.isdigit() or len(number) > MAX_ID_DIGITS:
        return error_page(request, 404)
    registration_id = int(number)
    status = (await csrf.read_form(request)).get("status")
    if not isinstance(status, str) or status not in REGISTRATION_STATUSES:
        return error_page(request, 400)
    try:
        changed = await in_db(
            request,
            _change,
            slug=slug,
            registration_id=registration_id,
            status=status,
            actor=actor_of(request),
        )
    except NotFoundError:
        return error_page(request, 404)
    except AlreadyRegisteredError:
        return error_page(request, 409, "registration_conflict")
    sent = None
    user_id = changed.change.registration.user_id
    if changed.queued and user_id is not None:
        sent = await notify.send_status_notice(
            console_of(request).engine,
            user_id=user_id,
            event_id=changed.change.event_id,
            today=today_of(request),
        )
        if sent.error is not None:
            logger.warning("console: status notice not sent: %s", type(sent.error).__name__)
    logger.info(
        "console: registration %d of %s set to %s for %s",
        registration_id,
        slug,
        status,
        user_ref(f"user:{user_id}") if user_id is not None else "no member",
    )
    context = {"change": changed.change, "notice": _notice_key(changed, sent), "slug": slug}
    return render(request, "registration_done.html", context)


routes = [
    Route("/events/{slug}/registrations", list_page, methods=["GET"], name="registrations"),
    Route(
        "/events/{slug}/registrations/export.csv",
        export,
        methods=["GET"],
        name="registrations_export",
    ),
    Route(
        "/events/{slug}/registrations/{registration_id}/status",
        change_status,
        methods=["POST"],
        name="registration_status",
    ),
]
