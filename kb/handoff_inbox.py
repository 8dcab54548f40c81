"""What the console shows of live handoffs: the inbox (open, taken, closed; how long each
member has waited; language, channel, region) and one handoff with everything staff need at
once: the last turns with the intents and confidences the bot read, the form's slots, the
member's registrations and the transcript.

A delegate sees only the handoffs of their own region (``region``); admins see all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.handoff_live import TranscriptLine, aware, summary_language, transcript
from kb.models import Event, Handoff, Registration, StaffAccount, User
from kb.notifications import preferred_language
from kb.views import NotFoundError

STATUSES: Final = ("open", "taken", "closed")


@dataclass(frozen=True)
class InboxRow:
    """One handoff in the inbox."""

    id: int
    status: str
    created_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    language: str
    channel: str
    region: str | None
    taken_by: str | None
    rating: int | None

    def waited_minutes(self, now: datetime) -> int:
        """Minutes the member waited for a person (until now while nobody took it)."""
        end = self.taken_at or (self.closed_at if self.status == "closed" else None) or now
        return max(0, int((end - self.created_at).total_seconds() // 60))


@dataclass(frozen=True)
class Turn:
    """A message the member wrote before asking for a person, as the bot read it."""

    text: str
    intent: str | None
    confidence: float | None


@dataclass(frozen=True)
class MemberRegistration:
    """One of the member's registrations."""

    event_slug: str
    event_title: str
    status: str
    company_name: str


@dataclass(frozen=True)
class HandoffDetail:
    """A handoff with all staff read to answer it."""

    row: InboxRow
    turns: list[Turn]
    slots: dict[str, Any]
    registrations: list[MemberRegistration]
    transcript: list[TranscriptLine]
    #: How a REST member asked to be reached (shown to staff only).
    contact: str | None
    staff_names: dict[int, str] = field(default_factory=dict)


def _row(handoff: Handoff, user: User, taken_by: str | None) -> InboxRow:
    return InboxRow(
        id=handoff.id,
        status=handoff.status,
        created_at=aware(handoff.created_at),  # type: ignore[arg-type]
        taken_at=aware(handoff.taken_at),
        closed_at=aware(handoff.closed_at),
        language=summary_language(handoff.summary)
        or preferred_language(user.language, user.language_hint),
        channel=user.channel,
        region=handoff.region,
        taken_by=taken_by,
        rating=handoff.rating,
    )


def inbox(
    session: Session, *, status: str | None = None, region: str | None = None, limit: int = 200
) -> list[InboxRow]:
    """Handoffs of one status (all when None), of one region when given: the waiting ones
    oldest first, the others newest first."""
    query = (
        select(Handoff, User, StaffAccount.email)
        .join(User, User.id == Handoff.user_id)
        .outerjoin(StaffAccount, StaffAccount.id == Handoff.taken_by)
    )
    if status is not None:
        query = query.where(Handoff.status == status)
    if region is not None:
        query = query.where(Handoff.region == region)
    order = Handoff.id if status == "open" else Handoff.id.desc()
    rows = session.execute(query.order_by(order).limit(limit))
    return [_row(handoff, user, email) for handoff, user, email in rows]


def handoff_region(session: Session, *, handoff_id: int) -> str | None:
    """The region a handoff is routed to (NotFoundError when there is none)."""
    row = session.get(Handoff, handoff_id)
    if row is None:
        raise NotFoundError(str(handoff_id))
    return row.region


def _context(summary: str | None) -> tuple[list[Turn], dict[str, Any]]:
    try:
        data = json.loads(summary or "{}")
    except ValueError:
        return [], {}
    turns = [
        Turn(
            text=str(item.get("text") or ""),
            intent=item.get("intent"),
            confidence=item.get("confidence"),
        )
        for item in data.get("last_messages") or []
        if isinstance(item, dict)
    ]
    slots = data.get("slots")
    return turns, slots if isinstance(slots, dict) else {}


def detail(session: Session, *, handoff_id: int) -> HandoffDetail:
    """Everything about one handoff (NotFoundError when there is none)."""
    found = session.execute(
        select(Handoff, User, StaffAccount.email)
        .join(User, User.id == Handoff.user_id)
        .outerjoin(StaffAccount, StaffAccount.id == Handoff.taken_by)
        .where(Handoff.id == handoff_id)
    ).first()
    if found is None:
        raise NotFoundError(str(handoff_id))
    handoff, user, email = found
    row = _row(handoff, user, email)
    turns, slots = _context(handoff.summary)
    registrations = [
        MemberRegistration(
            event_slug=event.slug,
            event_title=getattr(event, f"title_{row.language}", None) or event.title_fr,
            status=registration.status,
            company_name=registration.company_name,
        )
        for registration, event in session.execute(
            select(Registration, Event)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.user_id == user.id)
            .order_by(Registration.id.desc())
        )
    ]
    lines = transcript(session, handoff_id=handoff_id)
    staff_ids = {line.staff_id for line in lines if line.staff_id is not None}
    names: dict[int, str] = {}
    if staff_ids:
        query = select(StaffAccount.id, StaffAccount.email).where(StaffAccount.id.in_(staff_ids))
        names = {int(staff_id): str(email) for staff_id, email in session.execute(query)}
    return HandoffDetail(
        row=row,
        turns=turns,
        slots=slots,
        registrations=registrations,
        transcript=lines,
        contact=handoff.contact,
        staff_names=names,
    )
