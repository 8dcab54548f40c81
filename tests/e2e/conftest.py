"""Fixtures for tests that need the trained model and the running servers."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from actions.db.migrate import upgrade_to_head
from tests.e2e.servers import Servers, running_servers


@pytest.fixture(scope="session")
def servers(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Action server + Rasa server over a fresh knowledge base."""
    workdir = tmp_path_factory.mktemp("servers")
    database_url = f"sqlite:///{workdir / 'kb.db'}"
    upgrade_to_head(database_url)
    env = {"DATABASE_URL": database_url, "ASMEX_TODAY": "2026-11-22"}
    with running_servers(trained_model, workdir, env) as running:
        yield running
