"""Live handoffs: a staff member takes a member's conversation, replies, hands it back; the
member's messages while a person holds it, the replies and notes form the transcript
(``handoff_messages``); after hand-back the member rates the help.

States: ``open`` (waiting) -> ``taken`` (a person holds the conversation) -> ``closed``
(handed back). The Rasa server changes them (bot.channels.console, bot.extensions.handoff_hold);
the console reads them (kb.handoff_inbox). The caller owns the transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Handoff, HandoffMessage, User, utcnow
from kb.notifications import preferred_language
from kb.views import NotFoundError

#: Delivery states of a staff reply (``none`` for what is not sent to the member).
DELIVERY_STATUSES: Final = ("none", "pending", "sent", "failed")
#: The transcript's note, for staff, that the member went back to the assistant.
MEMBER_BACK_TO_BOT: Final = "member: back to bot"
#: Notes written to a transcript for staff (not sent to the member): stored text -> the
#: console's translation key. The stored text stays readable in the database and exports.
STAFF_NOTES: Final[dict[str, str]] = {MEMBER_BACK_TO_BOT: "handoff_note_member_back"}


class HandoffStateError(ValueError):
    """The handoff is not in a state that allows this (e.g. replying to a closed one)."""


@dataclass(frozen=True)
class LiveHandoff:
    """A handoff and the member it is for: what the Rasa server needs to act on it."""

    id: int
    status: str
    user_id: int
    channel: str
    channel_user_id: str
    #: The member's reply language (fr, ar, en).
    language: str
    region: str | None
    taken_by: int | None
    created_at: datetime
    taken_at: datetime | None
    last_inbound_at: datetime | None
    has_contact: bool


@dataclass(frozen=True)
class TranscriptLine:
    """One line of a handoff's transcript."""

    id: int
    direction: str
    text: str
    staff_id: int | None
    created_at: datetime
    delivery_status: str
    attempts: int


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they are UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def summary_language(summary: str | None) -> str | None:
    """The reply language the handoff's context recorded, if any."""
    try:
        value = json.loads(summary or "{}").get("language")
    except (ValueError, AttributeError):
        return None
    return value if value in ("fr", "ar", "en") else None


def _live(row: Handoff, user: User) -> LiveHandoff:
    language = summary_language(row.summary) or preferred_language(
        user.language, user.language_hint
    )
    return LiveHandoff(
        id=row.id,
        status=row.status,
        user_id=user.id,
        channel=user.channel,
        channel_user_id=user.channel_user_id,
        language=language,
        region=row.region,
        taken_by=row.taken_by,
        created_at=aware(row.created_at),  # type: ignore[arg-type]
        taken_at=aware(row.taken_at),
        last_inbound_at=aware(user.last_inbound_at),
        has_contact=bool(row.contact),
    )


def _row(session: Session, handoff_id: int) -> tuple[Handoff, User]:
    row = session.get(Handoff, handoff_id)
    if row is None:
        raise NotFoundError(str(handoff_id))
    user = session.get(User, row.user_id)
    assert user is not None  # a foreign key
    return row, user


def get_live(session: Session, *, handoff_id: int) -> LiveHandoff:
    """The handoff (NotFoundError when there is none)."""
    return _live(*_row(session, handoff_id))


def _latest(
    session: Session, channel: str, channel_user_id: str, *statuses: str
) -> LiveHandoff | None:
    found = session.execute(
        select(Handoff, User)
        .join(User, User.id == Handoff.user_id)
        .where(
            User.channel == channel,
            User.channel_user_id == channel_user_id,
            Handoff.status.in_(statuses),
        )
        .order_by(Handoff.id.desc())
    ).first()
    return _live(*found) if found is not None else None


def held_handoff(session: Session, *, channel: str, channel_user_id: str) -> LiveHandoff | None:
    """The member's handoff a person holds now (status ``taken``), if any."""
    return _latest(session, channel, channel_user_id, "taken")


def add_line(
    session: Session,
    *,
    handoff_id: int,
    direction: str,
    text: str,
    staff_id: int | None = None,
    delivery_status: str = "none",
) -> int:
    """Append a line to the transcript; its id."""
    line = HandoffMessage(
        handoff_id=handoff_id,
        direction=direction,
        text=text,
        staff_id=staff_id,
        delivery_status=delivery_status,
        created_at=utcnow(),
    )
    session.add(line)
    session.flush()
    return int(line.id)


def take(session: Session, *, handoff_id: int, staff_id: int) -> LiveHandoff:
    """``staff_id`` holds the conversation from now (a taken one changes hands);
    HandoffStateError when it was handed back already."""
    row, user = _row(session, handoff_id)
    if row.status == "closed":
        raise HandoffStateError("closed")
    if row.status == "open":
        row.taken_at = utcnow()
    row.status = "taken"
    row.taken_by = staff_id
    session.flush()
    return _live(row, user)


def add_staff_reply(session: Session, *, handoff_id: int, staff_id: int, text: str) -> int:
    """Record a staff reply, to be delivered (``pending``); its line id. The first reply is
    timed (``first_reply_at``). HandoffStateError unless the handoff is taken."""
    row, _ = _row(session, handoff_id)
    if row.status != "taken":
        raise HandoffStateError(row.status)
    if row.first_reply_at is None:
        row.first_reply_at = utcnow()
    return add_line(
        session,
        handoff_id=handoff_id,
        direction="staff",
        text=text,
        staff_id=staff_id,
        delivery_status="pending",
    )


def hand_back(session: Session, *, handoff_id: int) -> LiveHandoff:
    """Close the handoff: the assistant answers the member again. HandoffStateError when it
    was closed already."""
    row, user = _row(session, handoff_id)
    if row.status == "closed":
        raise HandoffStateError("closed")
    row.status = "closed"
    row.closed_at = utcnow()
    session.flush()
    return _live(row, user)


def set_contact(session: Session, *, handoff_id: int, contact: str) -> None:
    """Keep how the member asked to be reached (never logged)."""
    row, _ = _row(session, handoff_id)
    row.contact = contact[:300]


def rate_latest(
    session: Session, *, channel: str, channel_user_id: str, rating: int, within: timedelta
) -> LiveHandoff | None:
    """Store ``rating`` (1-5) on the member's latest handoff closed within ``within`` and not
    rated yet; that handoff, or None when there is none."""
    if not 1 <= rating <= 5:
        raise ValueError(f"rating must be 1 to 5, got {rating}")
    latest = _latest(session, channel, channel_user_id, "closed")
    if latest is None:
        return None
    row, _ = _row(session, latest.id)
    closed = aware(row.closed_at)
    if row.rating is not None or closed is None or utcnow() - closed > within:
        return None
    row.rating = rating
    return latest


def transcript(session: Session, *, handoff_id: int) -> list[TranscriptLine]:
    """The handoff's transcript, oldest first."""
    rows = session.scalars(
        select(HandoffMessage)
        .where(HandoffMessage.handoff_id == handoff_id)
        .order_by(HandoffMessage.created_at, HandoffMessage.id)
    )
    return [
        TranscriptLine(
            id=r.id,
            direction=r.direction,
            text=r.text,
            staff_id=r.staff_id,
            created_at=aware(r.created_at),  # type: ignore[arg-type]
            delivery_status=r.delivery_status,
            attempts=int(r.attempts or 0),
        )
        for r in rows
    ]
