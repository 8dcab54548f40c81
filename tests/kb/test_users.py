"""Users: created on first contact, reply language and consent recorded."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from kb.users import get_or_create_user, set_user_consent, set_user_language
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
