"""Fixtures of the action tests: the real knowledge base in a temporary database, or none."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kb.files.loader import load_kb
from kb.migrate import upgrade_to_head
from kb.session import make_engine
from tests.actions.info_support import TODAY
from tests.conftest import Clock


@pytest.fixture(scope="session")
def kb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head with the real knowledge base (data/kb), built once."""
    path = tmp_path_factory.mktemp("kb") / "kb.db"
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        load_kb(session)
    engine.dispose()
    return path


@pytest.fixture()
def kb(
    kb_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> Iterator[Engine]:
    """A fresh copy of the knowledge-base database, used by the actions (DATABASE_URL), on the
    action tests' day (info_support.TODAY)."""
    path = tmp_path / "kb.db"
    shutil.copy(kb_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    clock.set(TODAY)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture()
def db_down(kb: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """DATABASE_URL points at a database that cannot be opened (set after ``kb``)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing-dir/kb.db")


@pytest.fixture(autouse=True)
def office_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thursday 15 January 2026, 10:00 in Morocco, within OFFICE_HOURS' default and not a
    public holiday: a request for a person says nothing of office hours unless the test moves
    this clock."""
    from datetime import datetime, timezone

    from actions import handoff

    monkeypatch.setattr(handoff, "now", lambda: datetime(2026, 1, 15, 9, tzinfo=timezone.utc))
