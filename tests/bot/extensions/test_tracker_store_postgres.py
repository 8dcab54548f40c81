"""The conversation store on PostgreSQL survives a database restart without a server restart:
each pooled connection is checked before use (pool_pre_ping)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import extensions
from bot.extensions.tracker_store import ErasingSQLTrackerStore
from tests.support.db_servers import Postgres, postgres_bin, postgres_server

SENDER = "whatsapp:212612345678"
DOMAIN = {"slots": {"company_name": {"type": "text", "mappings": [{"type": "custom"}]}}}


def restart(pg: Postgres) -> None:
    """``pg_ctl restart`` of the test server (same data directory, port and options)."""
    conn = psycopg2.connect(
        host="127.0.0.1", port=pg.port, user=pg.user, password=pg.password, dbname="postgres"
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            (data,) = cursor.fetchone()
    finally:
        conn.close()
    log = str(Path(data).parent / "restart.log")  # the server's output: not our pipes
    command = [str(postgres_bin() / "pg_ctl"), "-D", data, "-l", log, "-m", "fast", "-w"]
    if os.geteuid() == 0:  # PostgreSQL runs as its own user (tests/support/db_servers.py)
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(
        [*command, "restart"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.fixture(scope="module")
def pg() -> Iterator[Postgres]:
    with postgres_server() as server:
        server.create_database("tracker")
        yield server


@pytest.fixture()
def store(pg: Postgres) -> Iterator[FailSafeTrackerStore]:
    extensions.install()
    primary = ErasingSQLTrackerStore(
        domain=Domain.from_dict(DOMAIN),
        dialect="postgresql",
        host="127.0.0.1",
        port=pg.port,
        db="tracker",
        username=pg.user,
        password=pg.password,
    )
    yield FailSafeTrackerStore(primary)  # as Rasa's agent wraps it
    primary.engine.dispose()


def turn(text: str, company: str | None = None) -> list:
    events: list = [UserUttered(text, {"name": "inform"}), ActionExecuted("registration_form")]
    if company:
        events.append(SlotSet("company_name", company))
    return [*events, BotUttered("Votre ICE ?"), ActionExecuted("action_listen")]


async def test_a_restarted_database_is_used_again_with_the_conversation_intact(
    store: FailSafeTrackerStore, pg: Postgres
) -> None:
    slots = list(store.domain.slots)
    first = DialogueStateTracker.from_events(SENDER, turn("Atlas Export", "Atlas Export"), slots)
    await store.save(first)
    assert await store.retrieve(SENDER) is not None  # a pooled connection now exists

    restart(pg)  # every pooled connection is now dead

    after = await store.retrieve(SENDER)
    assert after is not None and after.get_slot("company_name") == "Atlas Export"
    for event in turn("001234567000089"):
        after.update(event)
    await store.save(after)
    stored = await store.retrieve(SENDER)
    assert stored is not None
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == [
        "Atlas Export",
        "001234567000089",
    ]
