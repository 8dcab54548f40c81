"""Users (one person on one channel): first contact, reply language, consent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import User, utcnow
from kb.views import NotFoundError, UserView, view_of
from nlu.vocabulary.canonical import REPLY_LANGUAGES


def _user_view(row: User) -> UserView:
    return view_of(UserView, row, consent=bool(row.consent))


def find_user_row(session: Session, *, channel: str, channel_user_id: str) -> User | None:
    """The user row of a channel identity, or None (none is created)."""
    return session.scalars(
        select(User).where(User.channel == channel, User.channel_user_id == channel_user_id)
    ).one_or_none()


def user_row(session: Session, *, user_id: int) -> User:
    """The user row with this id; raises NotFoundError when there is none."""
    row = session.get(User, user_id)
    if row is None:
        raise NotFoundError(f"no user with id {user_id}")
    return row


def get_or_create_user(
    session: Session, *, channel: str, channel_user_id: str, language_hint: str | None = None
) -> UserView:
    """The user for a channel identity, created on first contact."""
    row = find_user_row(session, channel=channel, channel_user_id=channel_user_id)
    if row is None:
        row = User(channel=channel, channel_user_id=channel_user_id, language_hint=language_hint)
        session.add(row)
        session.flush()
    elif language_hint and row.language_hint != language_hint:
        row.language_hint = language_hint
        session.flush()
    return _user_view(row)


def set_user_language(session: Session, *, user_id: int, language: str | None) -> UserView:
    """Record the reply language the user chose (fr/ar/en), or None to detect it again."""
    if language is not None and language not in REPLY_LANGUAGES:
        raise ValueError(f"unknown reply language {language!r}")
    row = user_row(session, user_id=user_id)
    row.language = language
    session.flush()
    return _user_view(row)


def set_user_consent(session: Session, *, user_id: int, consent: bool) -> UserView:
    """Record whether the user agreed to the storage of their data."""
    row = user_row(session, user_id=user_id)
    row.consent = consent
    row.consent_at = utcnow() if consent else None
    session.flush()
    return _user_view(row)
