"""Users (one person on one channel): first contact, reply language, consent, and what their
record holds for the right of access."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Handoff, HandoffMessage, User, utcnow
from kb.views import NotFoundError, UserView, view_of
from nlu.vocabulary.canonical import REPLY_LANGUAGES


@dataclass(frozen=True)
class ConsentRecord:
    """A consent given (law 09-08): which text was accepted, when, in which language."""

    version: str
    accepted_at: datetime
    language: str | None


@dataclass(frozen=True)
class UserRecord:
    """What the users table holds about one person on one channel."""

    id: int
    channel: str
    #: The reply language the user chose, or None (detected on each message).
    language: str | None
    #: The language last seen for the user (used when ``language`` is None).
    language_hint: str | None
    created_at: datetime
    last_inbound_at: datetime | None
    consent: ConsentRecord | None
    #: The member's own region (a regions.yml code), as they said it when asking for a person.
    region: str | None = None


@dataclass(frozen=True)
class HandoffRequest:
    """A request to talk to a person, as its author reads it back."""

    id: int
    region: str | None
    status: str
    created_at: datetime
    #: How many of the user's messages were kept with it as context for ASMEX staff.
    messages_kept: int
    #: How the member asked to be reached (REST), as they wrote it.
    contact: str | None = None
    #: The member's rating of the help, 1 to 5.
    rating: int | None = None
    #: The conversation with the person who held it: (direction, text, time), oldest first.
    transcript: tuple[tuple[str, str, datetime], ...] = ()


def _user_view(row: User) -> UserView:
    return view_of(UserView, row, consent=bool(row.consent))


def _utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite gives them back without their zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _consent_record(row: User) -> ConsentRecord | None:
    if not row.consent or not row.consent_version or row.consent_at is None:
        return None
    return ConsentRecord(row.consent_version, _utc(row.consent_at), row.consent_language)


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
    """Record whether the user agreed to the storage of their data (without saying to which
    text: record_consent does); withdrawing forgets the text accepted too."""
    row = user_row(session, user_id=user_id)
    row.consent = consent
    row.consent_at = utcnow() if consent else None
    if not consent:
        row.consent_version = None
        row.consent_language = None
    session.flush()
    return _user_view(row)


def record_consent(
    session: Session, *, channel: str, channel_user_id: str, version: str, language: str
) -> ConsentRecord:
    """Record that this channel identity accepted consent text ``version``, shown in
    ``language``, now; the user is created if needed (they agreed to it)."""
    if not version:
        raise ValueError("a consent needs the version of the text accepted")
    if language not in REPLY_LANGUAGES:
        raise ValueError(f"unknown reply language {language!r}")
    account = get_or_create_user(
        session, channel=channel, channel_user_id=channel_user_id, language_hint=language
    )
    row = user_row(session, user_id=account.id)
    row.consent = True
    row.consent_at = utcnow()
    row.consent_version = version
    row.consent_language = language
    session.flush()
    record = _consent_record(row)
    assert record is not None  # every field was just set
    return record


def find_consent(session: Session, *, channel: str, channel_user_id: str) -> ConsentRecord | None:
    """The consent this channel identity gave, or None; no user is created."""
    row = find_user_row(session, channel=channel, channel_user_id=channel_user_id)
    return _consent_record(row) if row is not None else None


def has_consent(session: Session, *, user_id: int) -> bool:
    """Whether the user has a recorded consent (a text accepted, and when)."""
    row = session.get(User, user_id)
    return row is not None and _consent_record(row) is not None


# --- right of access: what is held about one user -----------------------------------------------


def find_user_record(session: Session, *, channel: str, channel_user_id: str) -> UserRecord | None:
    """What the users table holds about this channel identity, or None; none is created."""
    row = find_user_row(session, channel=channel, channel_user_id=channel_user_id)
    if row is None:
        return None
    return UserRecord(
        id=row.id,
        channel=row.channel,
        language=row.language,
        language_hint=row.language_hint,
        created_at=_utc(row.created_at),
        last_inbound_at=_utc(row.last_inbound_at) if row.last_inbound_at else None,
        consent=_consent_record(row),
        region=row.region,
    )


def _messages_kept(summary: str | None) -> int:
    try:
        context = json.loads(summary or "{}")
    except ValueError:
        return 0
    messages = context.get("last_messages") if isinstance(context, dict) else None
    return len(messages) if isinstance(messages, list) else 0


def user_handoffs(session: Session, *, user_id: int) -> list[HandoffRequest]:
    """The user's requests to talk to a person, oldest first (every status), each with its
    transcript."""
    rows = list(
        session.scalars(
            select(Handoff)
            .where(Handoff.user_id == user_id)
            .order_by(Handoff.created_at, Handoff.id)
        )
    )
    lines: dict[int, list[tuple[str, str, datetime]]] = {row.id: [] for row in rows}
    if lines:
        for line in session.scalars(
            select(HandoffMessage)
            .where(HandoffMessage.handoff_id.in_(list(lines)))
            .order_by(HandoffMessage.created_at, HandoffMessage.id)
        ):
            lines[line.handoff_id].append((line.direction, line.text, _utc(line.created_at)))
    return [
        HandoffRequest(
            id=row.id,
            region=row.region,
            status=row.status,
            created_at=_utc(row.created_at),
            messages_kept=_messages_kept(row.summary),
            contact=row.contact,
            rating=row.rating,
            transcript=tuple(lines[row.id]),
        )
        for row in rows
    ]
