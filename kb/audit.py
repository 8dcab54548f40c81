"""The audit log: every change staff make (console or admin CLI), for admins to read back.

An entry says who acted, when, what (``<kind>.<verb>``, e.g. ``staff.add``) on which target,
and details as a JSON object of scalar values. Details never hold personal data: keys that
name such data are refused (PERSONAL_KEYS), so a caller cannot slip an e-mail or a message in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.models import AuditEntry

Detail = str | int | float | bool | None

#: The actor of the admin command line.
CLI: Final = "cli"
#: Detail keys refused because they would carry personal data.
PERSONAL_KEYS: Final = frozenset(
    {
        "email",
        "phone",
        "name",
        "contact_name",
        "company_name",
        "ice",
        "text",
        "message",
        "summary",
        "password",
        "address",
    }
)
MAX_DETAIL_LENGTH: Final = 200
_ACTION_RE: Final = re.compile(r"[a-z_]{1,20}\.[a-z_]{1,28}")


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff account (its id and e-mail address), or the CLI (no id)."""

    staff_id: int | None
    label: str


CLI_ACTOR: Final = Actor(None, CLI)


@dataclass(frozen=True)
class AuditView:
    """One audit entry as admins read it."""

    id: int
    at: datetime
    staff_id: int | None
    actor: str
    action: str
    target_kind: str | None
    target_id: str | None
    details: Mapping[str, Detail]


def _checked(details: Mapping[str, Detail]) -> str:
    for key, value in details.items():
        if key.lower() in PERSONAL_KEYS:
            raise ValueError(f"audit details may not hold {key!r} (personal data)")
        if not isinstance(value, (str, int, float, bool, type(None))):
            raise ValueError(f"audit detail {key!r} must be a scalar value")
        if isinstance(value, str) and len(value) > MAX_DETAIL_LENGTH:
            raise ValueError(f"audit detail {key!r} is longer than {MAX_DETAIL_LENGTH}")
    return json.dumps(dict(details), ensure_ascii=False, sort_keys=True)


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    target_kind: str | None = None,
    target_id: object = None,
    details: Mapping[str, Detail] | None = None,
    at: datetime | None = None,
) -> AuditView:
    """Add an entry; ValueError for a malformed action or details holding personal data."""
    if not _ACTION_RE.fullmatch(action):
        raise ValueError(f"audit action must read <kind>.<verb>, got {action!r}")
    row = AuditEntry(
        at=at or datetime.now(timezone.utc),
        staff_id=actor.staff_id,
        actor=actor.label,
        action=action,
        target_kind=target_kind,
        target_id=None if target_id is None else str(target_id),
        details=_checked(details or {}),
    )
    session.add(row)
    session.flush()
    return _view(row)


def _view(row: AuditEntry) -> AuditView:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)
    return AuditView(
        id=row.id,
        at=at,
        staff_id=row.staff_id,
        actor=row.actor,
        action=row.action,
        target_kind=row.target_kind,
        target_id=row.target_id,
        details=json.loads(row.details or "{}"),
    )


def list_entries(session: Session, *, limit: int = 50, offset: int = 0) -> list[AuditView]:
    """Entries, newest first."""
    rows = session.scalars(
        select(AuditEntry)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_view(row) for row in rows]


def count_entries(session: Session) -> int:
    """How many entries the log holds."""
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
