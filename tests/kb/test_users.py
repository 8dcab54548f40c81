"""Users: created on first contact, reply language and consent recorded, what a user's
record holds."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from kb.handoffs import ConversationTurn, request_handoff
from kb.models import utcnow
from kb.users import (
    find_consent,
    find_user_record,
    find_user_row,
    get_or_create_user,
    has_consent,
    record_consent,
    set_user_consent,
    set_user_language,
    user_handoffs,
)
from kb.views import NotFoundError


def test_users_get_or_create_and_language(session: Session) -> None:
    user = get_or_create_user(
        session, channel="telegram", channel_user_id="42", language_hint="ary"
    )
    same = get_or_create_user(session, channel="telegram", channel_user_id="42")
    other = get_or_create_user(session, channel="whatsapp", channel_user_id="42")
    assert user.id == same.id != other.id
    assert user.language is None and user.language_hint == "ary"
    assert set_user_language(session, user_id=user.id, language="ar").language == "ar"
    with pytest.raises(ValueError):
        set_user_language(session, user_id=user.id, language="de")
    assert set_user_consent(session, user_id=user.id, consent=True).consent
    with pytest.raises(NotFoundError):
        set_user_language(session, user_id=999, language="fr")


def test_consent_records_the_text_the_time_and_the_language(session: Session) -> None:
    assert find_consent(session, channel="telegram", channel_user_id="42") is None
    assert find_user_row(session, channel="telegram", channel_user_id="42") is None  # not created
    before = utcnow()
    record = record_consent(
        session, channel="telegram", channel_user_id="42", version="registration-v9", language="ar"
    )
    assert (record.version, record.language) == ("registration-v9", "ar")
    assert record.accepted_at >= before
    assert find_consent(session, channel="telegram", channel_user_id="42") == record
    assert find_consent(session, channel="whatsapp", channel_user_id="42") is None
    user = get_or_create_user(session, channel="telegram", channel_user_id="42")
    assert user.consent and user.language_hint == "ar"
    assert has_consent(session, user_id=user.id)


def test_consent_needs_a_version_and_a_reply_language(session: Session) -> None:
    with pytest.raises(ValueError):
        record_consent(session, channel="rest", channel_user_id="a", version="", language="fr")
    with pytest.raises(ValueError):
        record_consent(session, channel="rest", channel_user_id="a", version="v1", language="ary")


def test_a_consent_without_its_text_or_withdrawn_is_no_consent(session: Session) -> None:
    user = get_or_create_user(session, channel="rest", channel_user_id="b")
    set_user_consent(session, user_id=user.id, consent=True)  # no text named
    assert not has_consent(session, user_id=user.id)
    record_consent(session, channel="rest", channel_user_id="b", version="v1", language="en")
    assert has_consent(session, user_id=user.id)
    set_user_consent(session, user_id=user.id, consent=False)
    assert not has_consent(session, user_id=user.id)
    assert find_consent(session, channel="rest", channel_user_id="b") is None
    row = find_user_row(session, channel="rest", channel_user_id="b")
    assert row is not None and (row.consent_version, row.consent_language) == (None, None)


def test_user_record_and_handoffs_of_one_identity(session: Session) -> None:
    assert find_user_record(session, channel="telegram", channel_user_id="7") is None
    record_consent(session, channel="telegram", channel_user_id="7", version="v1", language="fr")
    record = find_user_record(session, channel="telegram", channel_user_id="7")
    assert record is not None and record.channel == "telegram"
    assert record.consent is not None and record.consent.version == "v1"
    other = get_or_create_user(session, channel="whatsapp", channel_user_id="7")
    turns = [ConversationTurn("je veux parler à quelqu'un", "human_handoff")] * 2
    request_handoff(session, user_id=record.id, language="fr", turns=turns)
    request_handoff(session, user_id=other.id, language="fr")
    [mine] = user_handoffs(session, user_id=record.id)
    assert (mine.status, mine.region, mine.messages_kept) == ("open", None, 2)
    assert [h.messages_kept for h in user_handoffs(session, user_id=other.id)] == [0]
