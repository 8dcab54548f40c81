"""Uploading an event file (YAML or CSV), for admins: checked whole by the import, nothing
written when any row is wrong, alerts sent for the new events as import-events does."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console import csrf
from console.auth import guard
from console.pages.events import actor_of, publish
from console.render import error_page, render
from console.web import in_db
from kb import audit
from kb.events import EventsUpserted, upsert_events
from kb.files.event_formats import detect_format, parse_events
from kb.files.event_schema import EventFileError, Problem
from kb.sources import source_ids

logger = logging.getLogger(__name__)

#: Largest file read (the console's request body is capped at 64 KB before this).
MAX_UPLOAD: Final = 60 * 1024


def _import(
    session: Session, *, text: str, fmt: str, actor: audit.Actor
) -> EventsUpserted | list[Problem]:
    """Check the whole file, then upsert every event; its problems when any row is wrong."""
    try:
        events = parse_events(text, fmt=fmt, known_sources=source_ids(session))
    except EventFileError as exc:
        return list(exc.problems)
    done = upsert_events(session, events=events)
    audit.record(
        session,
        actor=actor,
        action="event.import",
        target_kind="event",
        details={
            "format": fmt,
            "created": len(done.created),
            "updated": len(done.updated),
            "unchanged": len(done.unchanged),
        },
    )
    return done


@guard(role="admin")
async def upload_form(request: Request) -> Response:
    """The upload form."""
    return render(request, "event_upload.html", {"problems": []})


async def _text(upload: UploadFile) -> tuple[str, str] | str:
    """The file's format and text, or the string key of why it cannot be read."""
    try:
        fmt = detect_format(Path(upload.filename or ""))
    except EventFileError:
        return "upload_type"
    raw = await upload.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        return "upload_size"
    try:
        return fmt, raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "upload_encoding"


@guard(role="admin", files=1)
async def upload(request: Request) -> Response:
    """Import the uploaded file: a summary and the alerts sent, or 400 with every problem."""
    upload_file = (await csrf.read_form(request)).get("file")
    if not isinstance(upload_file, UploadFile):
        return error_page(request, 400, "upload_missing")
    read = await _text(upload_file)
    if isinstance(read, str):
        return error_page(request, 413 if read == "upload_size" else 400, read)
    fmt, text = read
    outcome = await in_db(request, _import, text=text, fmt=fmt, actor=actor_of(request))
    if isinstance(outcome, list):
        problems = [str(p) for p in outcome]
        return render(request, "event_upload.html", {"problems": problems}, status=400)
    alerts = await publish(request, outcome)
    return render(request, "events_done.html", {"done": outcome, "alerts": alerts})


routes = [
    Route("/events/upload", upload_form, methods=["GET"], name="event_upload_form"),
    Route("/events/upload", upload, methods=["POST"], name="event_upload"),
]
