"""Shared fixtures: the settings as a fresh process reads them, one clock, a temporary SQLite
database migrated to head, a session, the trained model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core import settings
from kb.migrate import upgrade_to_head
from kb.session import make_engine

TODAY = date(2026, 1, 15)
FIXTURES = Path(__file__).parent / "fixtures"
#: Where staff alerts would go: a test sets them itself, to local fakes.
STAFF_ALERT_VARIABLES = ("SMTP_HOST", "HEAD_OFFICE_EMAIL", "STAFF_TELEGRAM_CHAT_ID")


class SettingsMonkeyPatch(pytest.MonkeyPatch):
    """pytest's monkeypatch, with one difference: the project reads its settings once
    (core.settings), so after every change to the environment, and after the undo, they are
    read again, as a process started with that environment would read them."""

    def setenv(self, name: str, value: str, prepend: str | None = None) -> None:
        super().setenv(name, value, prepend)
        settings.reload()

    def delenv(self, name: str, raising: bool = True) -> None:
        super().delenv(name, raising)
        settings.reload()

    def undo(self) -> None:
        super().undo()
        settings.reload()


@pytest.fixture()
def monkeypatch() -> Iterator[pytest.MonkeyPatch]:
    """Overrides pytest's own: see SettingsMonkeyPatch."""
    patch = SettingsMonkeyPatch()
    yield patch
    patch.undo()


class Clock:
    """The tests' one clock: "today" as the project reads it (ASMEX_TODAY)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self.today = TODAY

    def set(self, day: date | str) -> None:
        """Make ``day`` today, for the code under test and the servers a test starts."""
        self.today = day if isinstance(day, date) else date.fromisoformat(day)
        self._monkeypatch.setenv("ASMEX_TODAY", self.today.isoformat())


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Today is TODAY unless the test sets another day; the developer's DATABASE_URL is
    never used, nor their staff alerts' mail server, addresses or chat (no test mails staff)."""
    for name in ("DATABASE_URL", *STAFF_ALERT_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    clock = Clock(monkeypatch)
    clock.set(TODAY)
    return clock


@pytest.fixture()
def today(clock: Clock) -> date:
    return clock.today


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


@pytest.fixture(scope="session")
def parse(nlu_agent: Any) -> Callable[[str], dict[str, Any]]:
    """Parse one message with the trained model: Rasa's parse result."""
    import asyncio

    def run(text: str) -> dict[str, Any]:
        return dict(asyncio.run(nlu_agent.parse_message(text)))

    return run
