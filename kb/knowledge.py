"""Knowledge-base reads the repository module does not offer: every agreement, every region,
source titles. Typed, keyword-only after the session, returning frozen dataclasses."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import repositories as repo
from kb.models import Agreement, Source
from nlu.vocabulary.canonical import REGIONS


def list_agreements(session: Session) -> list[repo.AgreementView]:
    """Every trade agreement of the knowledge base, by code."""
    codes = session.scalars(select(Agreement.code).order_by(Agreement.code))
    views = (repo.get_agreement(session, code=code) for code in list(codes))
    return [view for view in views if view is not None]


def list_regions(session: Session) -> list[repo.RegionView]:
    """The regions the knowledge base has, in the canonical order of nlu.vocabulary.canonical."""
    views = (repo.get_region(session, code=code) for code in REGIONS)
    return [view for view in views if view is not None]


def source_titles(session: Session, *, ids: Iterable[str | None]) -> list[str]:
    """Titles of the sources ``ids`` names, in order, each once; unknown ids left out."""
    wanted = list(dict.fromkeys(i for i in ids if i))
    if not wanted:
        return []
    rows = {s.id: s.title for s in session.scalars(select(Source).where(Source.id.in_(wanted)))}
    return [rows[i] for i in wanted if i in rows]
