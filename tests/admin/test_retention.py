"""prune: conversation events and inbound message records older than the retention period go,
the rest stays; the conversations are found where the endpoints file says, as the servers find
them. On SQLite, and on PostgreSQL with endpoints.production.yml."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin import cli as admin
from admin import retention as prune_command
from kb import retention
from kb.inbound import Received, store_messages
from kb.models import InboundMessage, OutboxReply
from kb.outbox import store_replies
from kb.session import make_engine
from tests.support.db_servers import postgres_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(timezone.utc)
#: Texts members wrote: Darija, Arabic, French.
OLD_TEXT = "بغيت نتسجل فالبعثة ديال داكار"
NEW_TEXT = "quelles sont les prochaines missions ?"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = admin.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@dataclass
class Stores:
    """A knowledge base and a tracker store holding messages of 200 and of 10 days ago."""

    database_url: str
    tracker_url: str
    endpoints: Path


async def save_conversation(store: SQLTrackerStore, sender: str, days_ago: list[int]) -> None:
    """A conversation with one turn (session start, message, action) per day in ``days_ago``."""
    events = []
    for days in days_ago:
        at = (NOW - timedelta(days=days)).timestamp()
        text = OLD_TEXT if days > 100 else NEW_TEXT
        events += [
            SessionStarted(timestamp=at),
            UserUttered(text, {"name": "greet"}, timestamp=at + 1),
            ActionExecuted("utter_greet", timestamp=at + 2),
        ]
    await store.save(DialogueStateTracker.from_events(sender, events))


def seed_messages(database_url: str) -> None:
    """Inbound records with a stored reply each: two of 200 days ago, one of 10 days ago."""
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        for n, days in enumerate((200, 200, 10)):
            text = OLD_TEXT if days > 100 else NEW_TEXT
            store_messages(
                session,
                channel="telegram",
                messages=[Received(f"update-{n}", "7000001", {"text": text})],
                received_at=NOW - timedelta(days=days),
            )
            row = session.scalars(
                select(InboundMessage).where(InboundMessage.external_id == f"update-{n}")
            ).one()
            store_replies(session, inbound_id=row.id, replies=[{"text": "Bonjour !"}])
    engine.dispose()


def counts(stores: Stores) -> tuple[int, int, int]:
    """(tracker events, inbound records, stored replies)."""
    kb, tracker = make_engine(stores.database_url), make_engine(stores.tracker_url)
    try:
        with Session(kb) as session, tracker.connect() as connection:
            return (
                int(connection.scalar(select(func.count()).select_from(retention.TRACKER_EVENTS))),
                int(session.scalar(select(func.count()).select_from(InboundMessage))),
                int(session.scalar(select(func.count()).select_from(OutboxReply))),
            )
    finally:
        kb.dispose()
        tracker.dispose()


def stored_texts(stores: Stores) -> str:
    engine = make_engine(stores.tracker_url)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT data FROM events").scalars().all()
    engine.dispose()
    return "\n".join(rows)


async def fill(stores: Stores, store: SQLTrackerStore) -> None:
    seed_messages(stores.database_url)
    await save_conversation(store, "telegram:7000001", [200, 10])
    await save_conversation(store, "whatsapp:212612000001", [300])
    await save_conversation(store, "rest:e2e", [1])


@pytest.fixture()
def sqlite_stores(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stores]:
    """SQLite knowledge base and tracker store; an endpoints file like the project's, its
    database named by a variable, as make run's is."""
    monkeypatch.setitem(sys.modules, "nlu.vocabulary.gazetteer", None)
    assert run("--database-url", db_url, "init-db", "--kb-dir", str(FIXTURES / "kb"))[0] == 0
    tracker_file = tmp_path / "conversations" / "tracker.db"
    tracker_file.parent.mkdir()
    monkeypatch.setenv("ASMEX_TEST_TRACKER_DB", str(tracker_file))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        (ROOT / "endpoints.yml").read_text().replace("${TRACKER_DB}", "${ASMEX_TEST_TRACKER_DB}")
    )
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://localhost:1/webhook")
    yield Stores(db_url, f"sqlite:///{tracker_file}", endpoints)


async def test_prune_deletes_what_is_older_than_the_retention_period(
    sqlite_stores: Stores,
) -> None:
    stores = sqlite_stores
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=stores.tracker_url[10:])
    await fill(stores, store)
    assert counts(stores) == (12, 3, 3)

    dry = run(
        "--database-url",
        stores.database_url,
        "prune",
        "--dry-run",
        "--endpoints",
        str(stores.endpoints),
    )
    assert dry[0] == 0, dry[2]
    assert "dry run, nothing deleted" in dry[1] and "older than 180 days" in dry[1]
    assert "inbound message records: 2 would be deleted" in dry[1]
    assert "conversation events: 6 would be deleted in sqlite:///" in dry[1]
    assert counts(stores) == (12, 3, 3)

    code, out, err = run(
        "--database-url", stores.database_url, "prune", "--endpoints", str(stores.endpoints)
    )
    assert (code, err) == (0, "")
    assert "inbound message records: 2 deleted" in out
    assert "conversation events: 6 deleted" in out
    assert counts(stores) == (6, 1, 1)
    assert OLD_TEXT not in stored_texts(stores) and NEW_TEXT in stored_texts(stores)
    # What is left of the conversation is read back as Rasa reads it.
    tracker = await store.retrieve("telegram:7000001")
    assert tracker is not None and tracker.latest_message.text == NEW_TEXT
    assert await store.retrieve("whatsapp:212612000001") is None

    again = run(
        "--database-url", stores.database_url, "prune", "--endpoints", str(stores.endpoints)
    )
    assert "records: 0 deleted" in again[1] and "events: 0 deleted" in again[1]


async def test_retention_days_and_batches(
    sqlite_stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    stores = sqlite_stores
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=stores.tracker_url[10:])
    await fill(stores, store)
    monkeypatch.setattr(retention, "BATCH", 2)
    batches: list[int] = []
    prune_events = retention.prune_conversation_events

    def counted(*args: Any, **kwargs: Any) -> int:
        batches.append(prune_events(*args, **kwargs))
        return batches[-1]

    monkeypatch.setattr(retention, "prune_conversation_events", counted)
    monkeypatch.setenv("RETENTION_DAYS", "5")  # everything but yesterday's
    code, out, _ = run(
        "--database-url", stores.database_url, "prune", "--endpoints", str(stores.endpoints)
    )
    assert code == 0 and "older than 5 days" in out
    assert counts(stores) == (3, 0, 0)
    assert batches == [2, 2, 2, 2, 1]  # one transaction each
    code, out, _ = run(
        "--database-url",
        stores.database_url,
        "prune",
        "--older-than-days",
        "0",
        "--endpoints",
        str(stores.endpoints),
    )
    assert code == 2


def test_the_endpoints_file_is_read_as_the_servers_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DB", "var/tracker.db")
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://localhost:1/webhook")
    url = prune_command.tracker_store_url(ROOT / "endpoints.yml")
    assert url is not None and url.database == str(ROOT / "var" / "tracker.db")

    production = {
        "TRACKER_DB_HOST": "db.internal:6543",
        "TRACKER_DB_PORT": "5432",
        "TRACKER_DB_NAME": "tracker",
        "TRACKER_DB_USER": "asmex",
        "TRACKER_DB_PASSWORD": "p@ss:word",
    }
    for name, value in production.items():
        monkeypatch.setenv(name, value)
    url = prune_command.tracker_store_url(ROOT / "endpoints.production.yml")
    expected = SQLTrackerStore.get_db_url(
        "postgresql", "db.internal:6543", 5432, "tracker", "asmex", "p@ss:word"
    )
    assert url is not None
    assert url.render_as_string(hide_password=False) == str(expected)
    assert (url.host, url.port, url.password) == ("db.internal", 6543, "p@ss:word")


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        ("tracker_store:\n  type: sql\n  db: ${ASMEX_TEST_UNSET}\n", 2, "ASMEX_TEST_UNSET"),
        ("tracker_store:\n  type: redis\n  url: localhost\n", 2, "is not an SQL store"),
        ("tracker_store: [a\n", 2, "cannot read the endpoints file"),
        ("tracker_store:\n  type: sql\n  db: /nonexistent/tracker.db\n", 1, "no conversations"),
    ],
)
def test_bad_endpoints_files(
    sqlite_stores: Stores, tmp_path: Path, content: str, code: int, message: str
) -> None:
    endpoints = tmp_path / "bad.yml"
    endpoints.write_text(content)
    result = run(
        "--database-url", sqlite_stores.database_url, "prune", "--endpoints", str(endpoints)
    )
    assert result[0] == code and message in result[2], result
    assert len(result[2].strip().splitlines()) == 1 and "Traceback" not in result[2]


def test_conversations_kept_in_memory_only(sqlite_stores: Stores, tmp_path: Path) -> None:
    endpoints = tmp_path / "memory.yml"
    endpoints.write_text("action_endpoint:\n  url: http://localhost:1/webhook\n")
    code, out, _ = run(
        "--database-url", sqlite_stores.database_url, "prune", "--endpoints", str(endpoints)
    )
    assert code == 0 and "conversation events: none stored (memory.yml keeps them in memory)" in out


async def test_prune_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production stack's configuration: both databases in PostgreSQL."""
    monkeypatch.setitem(sys.modules, "nlu.vocabulary.gazetteer", None)
    with postgres_server() as pg:
        pg.create_database("asmex")
        pg.create_database("tracker")
        env = {
            "TRACKER_DB_HOST": "127.0.0.1",
            "TRACKER_DB_PORT": str(pg.port),
            "TRACKER_DB_NAME": "tracker",
            "TRACKER_DB_USER": pg.user,
            "TRACKER_DB_PASSWORD": pg.password,
            "ACTION_ENDPOINT_URL": "http://localhost:1/webhook",
            "REDIS_HOST": "localhost",
            "REDIS_PORT": "1",
            "REDIS_PASSWORD": "x",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        stores = Stores(pg.url("asmex"), pg.url("tracker"), ROOT / "endpoints.production.yml")
        assert (
            run("--database-url", stores.database_url, "init-db", "--kb-dir", str(FIXTURES / "kb"))[
                0
            ]
            == 0
        )
        store = SQLTrackerStore(
            Domain.empty(),
            dialect="postgresql",
            host="127.0.0.1",
            port=pg.port,
            db="tracker",
            username=pg.user,
            password=pg.password,
        )
        await fill(stores, store)
        store.engine.dispose()
        code, out, err = run(
            "--database-url",
            stores.database_url,
            "prune",
            "--endpoints",
            str(stores.endpoints),
        )
        assert code == 0, err
        assert "conversation events: 6 deleted in postgresql://" in out and pg.password not in out
        assert counts(stores) == (6, 1, 1)
