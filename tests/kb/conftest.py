"""Fixtures of the repository tests: sample events, the fixture knowledge base loaded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kb.events import upsert_event
from kb.files.loader import load_kb
from kb.views import EventInput, Texts

KB = Path(__file__).resolve().parents[1] / "fixtures" / "kb"
TODAY = date(2026, 1, 15)


def make_event(slug: str, start: date, end: date | None = None, **overrides: object) -> EventInput:
    values: dict[str, object] = dict(
        slug=slug,
        type="mission",
        title=Texts(fr=f"FR {slug}", ar=f"AR {slug}", en=f"EN {slug}"),
        country="SN",
        city="Dakar",
        start_date=start,
        end_date=end or start,
        sectors=("agrifood",),
        organizer="ASMEX",
    )
    values.update(overrides)
    return EventInput(**values)  # type: ignore[arg-type]


@pytest.fixture()
def events(session: Session) -> Session:
    for event in [
        make_event("past-2025", date(2025, 12, 1), date(2025, 12, 3)),
        make_event("ongoing-2026", date(2026, 1, 14), date(2026, 1, 16), country="KE"),
        make_event("later-2026", date(2026, 6, 1), sectors=("ict",), type="fair"),
        make_event("soon-2026", date(2026, 2, 1), sectors=("agrifood", "ict")),
        make_event("all-sectors-2026", date(2026, 3, 1), sectors=(), type="forum"),
        make_event("cancelled-2026", date(2026, 2, 10), status="cancelled"),
    ]:
        upsert_event(session, event=event)
    session.commit()
    return session


@pytest.fixture()
def kb(session: Session) -> Session:
    load_kb(session, kb_dir=KB)
    session.commit()
    return session
