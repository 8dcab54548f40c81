"""kb.handoff_live: the states of a live handoff, its transcript, deliveries and rating."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from kb.handoff_live import (
    HandoffStateError,
    add_line,
    add_staff_reply,
    get_live,
    hand_back,
    held_handoff,
    rate_latest,
    take,
    transcript,
)
from kb.handoffs import request_handoff
from kb.models import utcnow
from kb.reply_delivery import claim_reply, mark_delivery, undelivered
from kb.staff import create_staff
from kb.users import get_or_create_user
from kb.views import NotFoundError


def _handoff(session: Session, user: str = "42", language: str = "ar") -> tuple[int, int]:
    member = get_or_create_user(session, channel="telegram", channel_user_id=user)
    outcome = request_handoff(session, user_id=member.id, language=language)
    staff = create_staff(session, email=f"d{user}@asmex.ma", role="admin", password="p" * 12)
    return outcome.handoff.id, staff.id


def test_take_holds_the_conversation_and_hand_back_releases_it(session: Session) -> None:
    handoff_id, staff_id = _handoff(session)
    assert held_handoff(session, channel="telegram", channel_user_id="42") is None
    live = take(session, handoff_id=handoff_id, staff_id=staff_id)
    assert (live.status, live.taken_by, live.language) == ("taken", staff_id, "ar")
    assert live.taken_at is not None
    held = held_handoff(session, channel="telegram", channel_user_id="42")
    assert held is not None and held.id == handoff_id
    assert held_handoff(session, channel="telegram", channel_user_id="43") is None
    assert hand_back(session, handoff_id=handoff_id).status == "closed"
    assert held_handoff(session, channel="telegram", channel_user_id="42") is None
    with pytest.raises(HandoffStateError):
        take(session, handoff_id=handoff_id, staff_id=staff_id)
    with pytest.raises(HandoffStateError):
        hand_back(session, handoff_id=handoff_id)
    with pytest.raises(NotFoundError):
        get_live(session, handoff_id=handoff_id + 100)


def test_replies_are_pending_until_delivered_and_kept_in_the_transcript(session: Session) -> None:
    handoff_id, staff_id = _handoff(session)
    with pytest.raises(HandoffStateError):  # nobody holds it yet
        add_staff_reply(session, handoff_id=handoff_id, staff_id=staff_id, text="Bonjour")
    take(session, handoff_id=handoff_id, staff_id=staff_id)
    add_line(session, handoff_id=handoff_id, direction="member", text="واش كاين شي معرض؟")
    line = add_staff_reply(session, handoff_id=handoff_id, staff_id=staff_id, text="نعم، في دبي")
    later = utcnow() + timedelta(seconds=1)
    assert undelivered(session, older_than=later) == [line]
    found = claim_reply(session, line_id=line)
    assert found is not None and found[1] == "نعم، في دبي"
    mark_delivery(session, line_id=line, sent=False, error="TransientError")
    assert undelivered(session, older_than=later) == [line]
    mark_delivery(session, line_id=line, sent=True)
    assert undelivered(session, older_than=later) == []
    assert claim_reply(session, line_id=line) is None
    lines = transcript(session, handoff_id=handoff_id)
    assert [(x.direction, x.text, x.delivery_status) for x in lines] == [
        ("member", "واش كاين شي معرض؟", "none"),
        ("staff", "نعم، في دبي", "sent"),
    ]
    assert lines[1].attempts == 2


def test_a_rating_goes_to_the_latest_closed_handoff_once(session: Session) -> None:
    handoff_id, staff_id = _handoff(session, user="7")
    args = {"channel": "telegram", "channel_user_id": "7", "within": timedelta(days=7)}
    assert rate_latest(session, rating=5, **args) is None  # not closed yet
    take(session, handoff_id=handoff_id, staff_id=staff_id)
    hand_back(session, handoff_id=handoff_id)
    rated = rate_latest(session, rating=2, **args)
    assert rated is not None and rated.id == handoff_id
    assert rate_latest(session, rating=5, **args) is None  # rated already
    with pytest.raises(ValueError):
        rate_latest(session, rating=6, **args)


def test_a_rating_long_after_the_hand_back_is_refused(session: Session) -> None:
    handoff_id, staff_id = _handoff(session, user="8")
    take(session, handoff_id=handoff_id, staff_id=staff_id)
    hand_back(session, handoff_id=handoff_id)
    assert (
        rate_latest(session, channel="telegram", channel_user_id="8", rating=3, within=timedelta(0))
        is None
    )


def test_the_per_message_held_lookup_searches_an_index_not_every_handoff(
    session: Session,
) -> None:
    """handoff_hold asks this on every member message: a scan of all handoffs grew with
    the table (7.9 ms at 50,000 handoffs, scripts/bench_handoff_hold.py)."""
    from sqlalchemy import event

    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        statements.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert held_handoff(session, channel="telegram", channel_user_id="42") is None
    finally:
        event.remove(engine, "before_cursor_execute", record)
    statement, parameters = statements[-1]
    plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    details = [row[-1] for row in plan]
    assert any("ix_handoffs_user_id_status" in d for d in details), details
    assert not any(d.startswith("SCAN handoffs") for d in details), details
