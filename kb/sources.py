"""The sources facts are cited from (press articles, references, demo notes)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Source


def source_titles(session: Session, *, ids: Iterable[str | None]) -> list[str]:
    """Titles of the sources ``ids`` names, in order, each once; unknown ids left out."""
    wanted = list(dict.fromkeys(i for i in ids if i))
    if not wanted:
        return []
    rows = {s.id: s.title for s in session.scalars(select(Source).where(Source.id.in_(wanted)))}
    return [rows[i] for i in wanted if i in rows]


def source_ids(session: Session) -> set[str]:
    """The id of every source in the database."""
    return set(session.scalars(select(Source.id)))
