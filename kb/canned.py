"""Canned replies: texts staff pick in the handoff reply form (and edit before sending), each in
French, Arabic and English under one title. Admins create, change and delete them in the
console; the reply form lists them in the member's language. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.text import clean_text
from kb.models import CannedReply
from kb.views import NotFoundError, RepositoryError, Texts
from nlu.vocabulary.canonical import REPLY_LANGUAGES

MAX_TITLE: Final = 100
MAX_TEXT: Final = 2000
#: The form's fields: the title, then one text per language.
FIELDS: Final = ("title", *(f"text_{language}" for language in REPLY_LANGUAGES))


class CannedReplyError(RepositoryError):
    """A canned reply that cannot be saved: ``problems`` maps each wrong field to why
    (``required`` or ``too_long``)."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__(", ".join(f"{name}: {why}" for name, why in problems.items()))
        self.problems = dict(problems)


@dataclass(frozen=True)
class CannedReplyView:
    """A canned reply with its three texts."""

    id: int
    title: str
    texts: Texts
    updated_at: datetime


@dataclass(frozen=True)
class CannedText:
    """A canned reply in one language, as the reply form offers it."""

    id: int
    title: str
    text: str


def _view(row: CannedReply) -> CannedReplyView:
    updated = row.updated_at
    return CannedReplyView(
        id=row.id,
        title=row.title,
        texts=Texts.of(row, "text"),
        updated_at=updated if updated.tzinfo else updated.replace(tzinfo=timezone.utc),
    )


def checked_values(values: Mapping[str, object]) -> dict[str, str]:
    """The form's fields cleaned (control characters out, trimmed); CannedReplyError naming
    each field that is empty or too long."""
    cleaned = {name: clean_text(str(values.get(name) or "")).strip() for name in FIELDS}
    problems = {}
    for name, value in cleaned.items():
        limit = MAX_TITLE if name == "title" else MAX_TEXT
        if not value:
            problems[name] = "required"
        elif len(value) > limit:
            problems[name] = "too_long"
    if problems:
        raise CannedReplyError(problems)
    return cleaned


def list_canned_replies(session: Session) -> list[CannedReplyView]:
    """Every canned reply, by title."""
    rows = session.scalars(select(CannedReply).order_by(CannedReply.title, CannedReply.id))
    return [_view(row) for row in rows]


def get_canned_reply(session: Session, *, reply_id: int) -> CannedReplyView | None:
    """The canned reply with this id, or None."""
    row = session.get(CannedReply, reply_id)
    return _view(row) if row is not None else None


def create_canned_reply(session: Session, *, values: Mapping[str, object]) -> CannedReplyView:
    """A new canned reply from the form's fields; CannedReplyError when one is wrong."""
    row = CannedReply(**checked_values(values))
    session.add(row)
    session.flush()
    return _view(row)


def update_canned_reply(
    session: Session, *, reply_id: int, values: Mapping[str, object]
) -> CannedReplyView:
    """Change a canned reply; NotFoundError when unknown, CannedReplyError for a wrong field."""
    row = session.get(CannedReply, reply_id)
    if row is None:
        raise NotFoundError(f"no canned reply {reply_id}")
    for name, value in checked_values(values).items():
        setattr(row, name, value)
    session.flush()
    return _view(row)


def delete_canned_reply(session: Session, *, reply_id: int) -> CannedReplyView:
    """Delete a canned reply; NotFoundError when unknown."""
    row = session.get(CannedReply, reply_id)
    if row is None:
        raise NotFoundError(f"no canned reply {reply_id}")
    removed = _view(row)
    session.delete(row)
    session.flush()
    return removed


def canned_replies_in(session: Session, *, language: str) -> list[CannedText]:
    """The canned replies in ``language`` (a member's reply language), by title: what the
    handoff reply form offers to pick and edit."""
    return [
        CannedText(id=view.id, title=view.title, text=view.texts.get(language))
        for view in list_canned_replies(session)
    ]
