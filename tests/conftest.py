"""Shared fixtures: a fixed today, a temporary SQLite database migrated to head, a session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.db.migrate import upgrade_to_head
from actions.db.session import make_engine

TODAY = date(2026, 1, 15)
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin today's date and keep tests away from the developer's DATABASE_URL."""
    monkeypatch.setenv("ASMEX_TODAY", TODAY.isoformat())
    monkeypatch.delenv("DATABASE_URL", raising=False)


@pytest.fixture()
def today() -> date:
    return TODAY


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    """URL of a fresh, empty SQLite file."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture()
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head."""
    upgrade_to_head(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    """A session the test commits or not; closed afterwards."""
    with Session(engine) as s:
        yield s


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The project's trained model, trained first (scripts/train.sh) if its inputs changed."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    subprocess.run(["bash", str(root / "scripts" / "train.sh")], cwd=root, check=True)
    return root / "models" / "asmex.tar.gz"


@pytest.fixture(scope="session")
def nlu_agent(trained_model: Path) -> Any:
    """The trained model loaded once (``rasa.core.agent.Agent``) for the tests that parse."""
    from rasa.core.agent import Agent

    return Agent.load(str(trained_model))
