"""The audit log, for admins: every change staff made, newest first, a page at a time."""

from __future__ import annotations

import json
from typing import Final

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.auth import guard
from console.render import error_page, render
from console.web import in_db
from kb.audit import AuditView, list_entries

PER_PAGE: Final = 50
MAX_PAGE: Final = 10_000


def _page(value: str | None) -> int | None:
    """The page number asked for (1 when none), or None when it is not one."""
    if value is None:
        return 1
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        return None
    return int(value)


def _entries(session: Session, *, page: int) -> list[AuditView]:
    return list_entries(session, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)


@guard(role="admin")
async def audit_log(request: Request) -> Response:
    """One page of the log; 400 for a page number that is not one."""
    page = _page(request.query_params.get("page"))
    if page is None:
        return error_page(request, 400)
    entries = await in_db(request, _entries, page=page)
    rows = [
        {
            "at": entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            "actor": entry.actor,
            "action": entry.action,
            "target": " ".join(v for v in (entry.target_kind, entry.target_id) if v),
            "details": json.dumps(dict(entry.details), ensure_ascii=False) if entry.details else "",
        }
        for entry in entries[:PER_PAGE]
    ]
    return render(
        request,
        "audit.html",
        {"rows": rows, "page": page, "older": len(entries) > PER_PAGE},
    )


routes = [Route("/audit", audit_log, methods=["GET"], name="audit")]
