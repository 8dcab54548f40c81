"""Events, for admins: list and search, create and edit with the import's own checking,
close and cancel (after a confirmation). Uploading a file is console.pages.event_upload.

The form's fields are the import file's CSV columns (kb.files.event_schema.CSV_COLUMNS); a
form is checked by the import's validate_records, so a field gets the message the import
gives for the same value. Publishing a new event sends its alerts as import-events does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console import csrf
from console.auth import guard
from console.render import error_page, render
from console.web import console_of, in_db, staff_of
from core.redact import user_ref
from kb import audit
from kb.events import (
    EventSearch,
    EventsUpserted,
    event_row,
    get_event_by_slug,
    search_events,
    set_event_status,
    upsert_events,
)
from kb.files.event_formats import flat_values
from kb.files.event_schema import CSV_COLUMNS, EventFileError, Problem, validate_records
from kb.sources import source_ids
from kb.views import EventView
from nlu.vocabulary.canonical import EVENT_STATUSES, EVENT_TYPES
from outbound import notify

logger = logging.getLogger(__name__)

PER_PAGE: Final = 25
MAX_PAGE: Final = 10_000
MAX_QUERY: Final = 100
#: The status each confirmed action sets.
ACTIONS: Final = {"close": "closed", "cancel": "cancelled"}


def actor_of(request: Request) -> audit.Actor:
    """The signed-in account as the audit log names it."""
    staff = staff_of(request)
    assert staff is not None  # the guard let a signed-in admin through
    return audit.Actor(staff.id, staff.email)


def today_of(request: Request) -> date:
    """The console's today (its clock, in UTC)."""
    return console_of(request).now().date()


# --- the list --------------------------------------------------------------------------------


def _search(request: Request) -> tuple[EventSearch, int] | None:
    """The search and page asked for in the query string, or None when one is not valid."""
    params = request.query_params
    values = {key: (params.get(key) or "").strip() or None for key in EventSearch.__annotations__}
    page_text = params.get("page") or "1"
    if any(v is not None and len(v) > MAX_QUERY for v in values.values()):
        return None
    if values["event_type"] not in (None, *EVENT_TYPES):
        return None
    if values["status"] not in (None, *EVENT_STATUSES):
        return None
    if not page_text.isascii() or not page_text.isdigit() or not 1 <= int(page_text) <= MAX_PAGE:
        return None
    if values["country"]:
        values["country"] = values["country"].upper()
    if values["sector"]:
        values["sector"] = values["sector"].lower()
    return EventSearch(**values), int(page_text)


@guard(role="admin")
async def list_page(request: Request) -> Response:
    """The events matching the search, not ended first, PER_PAGE a page; 400 for a bad query."""
    asked = _search(request)
    if asked is None:
        return error_page(request, 400)
    search, page = asked
    found = await in_db(request, search_events, today=today_of(request), search=search)
    shown = found[(page - 1) * PER_PAGE : page * PER_PAGE]
    query = {k: v for k, v in vars(search).items() if v}
    return render(
        request,
        "events.html",
        {
            "events": shown,
            "search": query,
            "page": page,
            "more": len(found) > page * PER_PAGE,
            "total": len(found),
            "types": EVENT_TYPES,
            "statuses": EVENT_STATUSES,
        },
    )


# --- create and edit -------------------------------------------------------------------------


@dataclass
class Saved:
    """What saving a form did: its problems (nothing written), or the upsert's outcome."""

    problems: list[Problem] = field(default_factory=list)
    done: EventsUpserted | None = None


def _save(session: Session, *, record: dict[str, Any], actor: audit.Actor, creating: bool) -> Saved:
    """Check one form as the import checks a row, then create or update the event."""
    try:
        events = validate_records([(1, record)], fmt="csv", known_sources=source_ids(session))
    except EventFileError as exc:
        return Saved(problems=list(exc.problems))
    event = events[0]
    if creating and event_row(session, slug=event.slug) is not None:
        return Saved(problems=[Problem("slug_taken", field="slug")])
    done = upsert_events(session, events=events)
    if done.created or done.updated:
        audit.record(
            session,
            actor=actor,
            action="event.create" if done.created else "event.update",
            target_kind="event",
            target_id=event.slug,
            details={"status": event.status or "", "country": event.country},
        )
    return Saved(done=done)


def _form_page(
    request: Request,
    values: dict[str, str],
    *,
    slug: str | None,
    problems: list[Problem] | None = None,
    status: int = 200,
) -> Response:
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems or []:
        if problem.field in values:
            errors.setdefault(problem.field, []).append(problem.message)
        else:
            general.append(str(problem))
    context = {
        "values": values,
        "slug": slug,
        "columns": CSV_COLUMNS,
        "errors": errors,
        "general": general,
    }
    return render(request, "event_form.html", context, status=status)


async def _posted(request: Request, slug: str | None) -> dict[str, str]:
    form = await csrf.read_form(request)
    record = {col: str(form.get(col) or "") for col in CSV_COLUMNS}
    if slug is not None:
        record["slug"] = slug
    return record


async def _after_save(
    request: Request, record: dict[str, str], slug: str | None, saved: Saved
) -> Response:
    if saved.done is None:
        return _form_page(request, record, slug=slug, problems=saved.problems, status=400)
    staff = staff_of(request)
    logger.info(
        "console: %s saved event %s", user_ref(f"staff:{staff.id if staff else 0}"), record["slug"]
    )
    alerts = await publish(request, saved.done)
    return render(request, "events_done.html", {"done": saved.done, "alerts": alerts})


async def publish(request: Request, done: EventsUpserted) -> notify.NewEventAlerts | None:
    """Send the alerts of the events just created (None when none was)."""
    if not done.created:
        return None
    engine = console_of(request).engine
    outcome = await notify.alert_new_events(engine, done.created, today=today_of(request))
    if outcome.error is not None:
        logger.warning("console: alerts not sent: %s", type(outcome.error).__name__)
    return outcome


@guard(role="admin")
async def new_form(request: Request) -> Response:
    """An empty event form."""
    return _form_page(request, dict.fromkeys(CSV_COLUMNS, ""), slug=None)


@guard(role="admin")
async def create(request: Request) -> Response:
    """Check and create the event (400 with the form and its problems); alerts sent."""
    record = await _posted(request, None)
    saved = await in_db(request, _save, record=record, actor=actor_of(request), creating=True)
    return await _after_save(request, record, None, saved)


async def _event(request: Request) -> EventView | None:
    slug = request.path_params["slug"]
    return await in_db(request, get_event_by_slug, slug=slug, today=today_of(request))


@guard(role="admin")
async def edit_form(request: Request) -> Response:
    """The form of an event, filled in; 404 for an unknown one."""
    event = await _event(request)
    if event is None:
        return error_page(request, 404)
    return _form_page(request, flat_values(event.as_input()), slug=event.slug)


@guard(role="admin")
async def edit(request: Request) -> Response:
    """Check and update the event (its slug is the page's); 404 for an unknown one."""
    event = await _event(request)
    if event is None:
        return error_page(request, 404)
    record = await _posted(request, event.slug)
    saved = await in_db(request, _save, record=record, actor=actor_of(request), creating=False)
    return await _after_save(request, record, event.slug, saved)


# --- close and cancel ------------------------------------------------------------------------


@guard(role="admin")
async def confirm(request: Request) -> Response:
    """The confirmation page of closing or cancelling an event."""
    action = request.path_params["action"]
    event = await _event(request)
    if event is None or action not in ACTIONS:
        return error_page(request, 404)
    return render(request, "event_confirm.html", {"event": event, "action": action})


def _change_status(session: Session, *, slug: str, status: str, actor: audit.Actor) -> None:
    before = set_event_status(session, slug=slug, status=status)
    if before != status:
        audit.record(
            session,
            actor=actor,
            action=f"event.{'close' if status == 'closed' else 'cancel'}",
            target_kind="event",
            target_id=slug,
            details={"before": before},
        )


@guard(role="admin")
async def change_status(request: Request) -> Response:
    """Close or cancel the event (confirmed by the form); 303 to the list."""
    action = request.path_params["action"]
    event = await _event(request)
    if event is None or action not in ACTIONS:
        return error_page(request, 404)
    await in_db(
        request, _change_status, slug=event.slug, status=ACTIONS[action], actor=actor_of(request)
    )
    return RedirectResponse("/events", status_code=303)


routes = [
    Route("/events", list_page, methods=["GET"], name="events"),
    Route("/events/new", new_form, methods=["GET"], name="event_new"),
    Route("/events/new", create, methods=["POST"], name="event_create"),
    Route("/events/{slug}/edit", edit_form, methods=["GET"], name="event_edit_form"),
    Route("/events/{slug}/edit", edit, methods=["POST"], name="event_edit"),
    Route("/events/{slug}/{action}", confirm, methods=["GET"], name="event_confirm"),
    Route("/events/{slug}/{action}", change_status, methods=["POST"], name="event_status"),
]
