"""kb.reply_delivery: a staff reply is held by one sender at a time, retried, given up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from kb.handoff_live import add_staff_reply, take, transcript
from kb.handoffs import request_handoff
from kb.models import utcnow
from kb.reply_delivery import (
    DELIVERY_LEASE,
    MAX_ATTEMPTS,
    claim_reply,
    delivery_status,
    mark_delivery,
    release_reply,
    undelivered,
)
from kb.staff import create_staff
from kb.users import get_or_create_user


def _reply(session: Session, text: str = "السلام، شنو بغيتي تعرف؟") -> int:
    member = get_or_create_user(session, channel="telegram", channel_user_id="77")
    handoff = request_handoff(session, user_id=member.id, language="ar").handoff
    staff = create_staff(session, email="admin@asmex.ma", role="admin", password="p" * 12)
    take(session, handoff_id=handoff.id, staff_id=staff.id)
    return add_staff_reply(session, handoff_id=handoff.id, staff_id=staff.id, text=text)


def test_a_claimed_reply_is_held_by_one_sender_until_its_outcome(session: Session) -> None:
    line = _reply(session)
    now = utcnow()
    first = claim_reply(session, line_id=line, now=now)
    assert first is not None and first[1] == "السلام، شنو بغيتي تعرف؟"
    assert first[0].channel == "telegram"
    # A second sender (another worker's sweep) gets nothing while the first holds it...
    assert claim_reply(session, line_id=line, now=now + timedelta(seconds=5)) is None
    # ... and the sweep does not list it.
    assert undelivered(session, older_than=now + timedelta(hours=1), now=now) == []
    mark_delivery(session, line_id=line, sent=False, error="TransientError")
    # A failure lets go: the next sweep takes it again.
    assert undelivered(session, older_than=now + timedelta(hours=1), now=now) == [line]
    assert claim_reply(session, line_id=line, now=now) is not None
    mark_delivery(session, line_id=line, sent=True)
    assert claim_reply(session, line_id=line, now=now) is None
    assert delivery_status(session, line_id=line) == "sent"
    assert transcript(session, handoff_id=first[0].id)[-1].attempts == 2


def test_a_sender_that_died_holding_a_reply_only_delays_it(session: Session) -> None:
    line = _reply(session, "Bonjour, je prends votre demande")
    now = utcnow()
    assert claim_reply(session, line_id=line, now=now) is not None  # then the worker dies
    assert claim_reply(session, line_id=line, now=now + DELIVERY_LEASE / 2) is None
    later = now + DELIVERY_LEASE + timedelta(seconds=1)
    assert undelivered(session, older_than=later, now=later) == [line]
    assert claim_reply(session, line_id=line, now=later) is not None


def test_released_and_given_up_replies(session: Session) -> None:
    line = _reply(session, "Hello, how can I help?")
    now = utcnow()
    assert claim_reply(session, line_id=line, now=now) is not None
    release_reply(session, line_id=line)  # the channel could not be written to: no attempt
    assert delivery_status(session, line_id=line) == "pending"
    for _ in range(MAX_ATTEMPTS):
        assert claim_reply(session, line_id=line, now=now) is not None
        mark_delivery(session, line_id=line, sent=False, error="DeliveryError")
    assert claim_reply(session, line_id=line, now=now) is None  # given up
    assert undelivered(session, older_than=now + timedelta(hours=1), now=now) == []
    assert delivery_status(session, line_id=line) == "failed"
    assert delivery_status(session, line_id=line + 999) is None
