"""Requests to talk to a person at ASMEX (the handoffs table)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Handoff, Region, User
from kb.users import user_row


@dataclass(frozen=True)
class ConversationTurn:
    """One user message of the conversation, with the intent the NLU gave it."""

    text: str
    intent: str | None
    #: The NLU's confidence in ``intent`` (None when unknown).
    confidence: float | None = None


@dataclass(frozen=True)
class HandoffView:
    """A handoff request and who it is routed to."""

    id: int
    user_id: int
    region: str | None
    #: The ASMEX delegate of ``region`` named by the knowledge base, or None (ASMEX head office).
    delegate_name: str | None
    summary: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class HandoffOutcome:
    """A handoff and whether this call created it (False: an open one was updated)."""

    handoff: HandoffView
    created: bool


def _turn(turn: ConversationTurn) -> dict[str, Any]:
    found: dict[str, Any] = {"text": turn.text, "intent": turn.intent}
    if turn.confidence is not None:
        found["confidence"] = round(turn.confidence, 3)
    return found


def _summary(
    *,
    language: str,
    region: str | None,
    delegate: str | None,
    turns: Sequence[ConversationTurn],
    slots: Mapping[str, Any] | None = None,
) -> str:
    """The context staff read: JSON, so a back office can display or parse it."""
    context: dict[str, Any] = {
        "language": language,
        "region": region,
        "routed_to": delegate or "asmex",
        "last_messages": [_turn(t) for t in turns],
    }
    if slots:
        context["slots"] = dict(slots)
    return json.dumps(context, ensure_ascii=False, default=str)


def _view(row: Handoff, delegate: str | None) -> HandoffView:
    return HandoffView(
        id=row.id,
        user_id=row.user_id,
        region=row.region,
        delegate_name=delegate,
        summary=row.summary or "",
        status=row.status,
        created_at=row.created_at,
    )


def _delegate(session: Session, region: str | None) -> str | None:
    row = session.get(Region, region) if region else None
    return row.delegate_name if row is not None else None


def request_handoff(
    session: Session,
    *,
    user_id: int,
    language: str,
    region: str | None = None,
    turns: Sequence[ConversationTurn] = (),
    slots: Mapping[str, Any] | None = None,
) -> HandoffOutcome:
    """Open a handoff for the user with the conversation's context, routed by region.

    A user has at most one open handoff: asking again refreshes its region and context
    instead of queueing a second request.
    """
    user_row(session, user_id=user_id)
    delegate = _delegate(session, region)
    summary = _summary(
        language=language, region=region, delegate=delegate, turns=turns, slots=slots
    )
    row = session.scalars(
        select(Handoff)
        .where(Handoff.user_id == user_id, Handoff.status == "open")
        .order_by(Handoff.id)
    ).first()
    created = row is None
    if row is None:
        row = Handoff(user_id=user_id, region=region, summary=summary, status="open")
        session.add(row)
    else:
        row.region = region or row.region
        delegate = _delegate(session, row.region)
        row.summary = _summary(
            language=language, region=row.region, delegate=delegate, turns=turns, slots=slots
        )
    session.flush()
    return HandoffOutcome(handoff=_view(row, delegate), created=created)


def list_handoffs(session: Session, *, status: str | None = "open") -> list[HandoffView]:
    """Handoffs for ASMEX staff, oldest first (all statuses when ``status`` is None)."""
    query = select(Handoff).order_by(Handoff.created_at, Handoff.id)
    if status is not None:
        query = query.where(Handoff.status == status)
    return [_view(row, _delegate(session, row.region)) for row in session.scalars(query)]


def reroute(session: Session, row: Handoff, region: str) -> None:
    """Route ``row`` to ``region``: its region, and the delegate its context names."""
    row.region = region
    try:
        context = json.loads(row.summary or "{}")
    except ValueError:
        context = {}
    context["region"] = region
    context["routed_to"] = _delegate(session, region) or "asmex"
    row.summary = json.dumps(context, ensure_ascii=False, default=str)
    session.flush()


def member_region(session: Session, *, user_id: int) -> str | None:
    """The member's own region (None until they said it)."""
    user = session.get(User, user_id)
    return user.region if user is not None else None


def set_member_region(
    session: Session, *, channel: str, channel_user_id: str, region: str
) -> int | None:
    """Remember the member's own region and route their waiting or held handoff that had
    none to it (its summary names the region's delegate); that handoff's id, or None."""
    user = session.scalars(
        select(User).where(User.channel == channel, User.channel_user_id == channel_user_id)
    ).first()
    if user is None:
        return None
    user.region = region
    row = session.scalars(
        select(Handoff)
        .where(Handoff.user_id == user.id, Handoff.status.in_(("open", "taken")))
        .order_by(Handoff.id.desc())
    ).first()
    if row is None or row.region is not None:
        return None
    reroute(session, row, region)
    return int(row.id)
