"""Fixtures for tests that need the trained model and the running servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from actions.db.kb_loader import load_kb
from actions.db.migrate import upgrade_to_head
from actions.db.session import make_engine
from tests.e2e.servers import Servers, running_servers

#: The date the servers take as today (sample events of data/kb are upcoming then).
E2E_TODAY = "2026-11-22"


def prepare_database(database_url: str) -> None:
    """Migrate a fresh database to head and load the knowledge base (data/kb) into it."""
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            load_kb(session)
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def servers_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory of the servers' databases and logs."""
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="session")
def e2e_database_url(servers_workdir: Path) -> str:
    """URL of the knowledge base the action server uses (migrated, data/kb loaded)."""
    database_url = f"sqlite:///{servers_workdir / 'kb.db'}"
    prepare_database(database_url)
    return database_url


@pytest.fixture(scope="session")
def servers(trained_model: Path, servers_workdir: Path, e2e_database_url: str) -> Iterator[Servers]:
    """Action server + Rasa server over a fresh knowledge base."""
    env = {"DATABASE_URL": e2e_database_url, "ASMEX_TODAY": E2E_TODAY}
    with running_servers(trained_model, servers_workdir, env) as running:
        yield running
