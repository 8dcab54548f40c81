"""Stored inbound messages: stored once, taken by one process at a time, in order per user.

Each claim test runs on SQLite and on a real PostgreSQL server (tests/support/db_servers.py),
where several processes (Sanic workers, replicas) claim the same rows at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kb import inbound, outbox
from kb.inbound import Claimed, Received
from kb.migrate import alembic_config, upgrade_to_head
from kb.models import InboundMessage, OutboxReply, User, utcnow
from kb.session import make_engine
from tests.support.db_servers import postgres_server

LEASE = timedelta(seconds=30)
WA = "212612345678"
DARIJA = "سلام، بغيت نسجل فالبعثة ديال داكار"


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres_server() as pg:
        pg.create_database("claims")
        url = pg.url("claims")
        upgrade_to_head(url)
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kb.db'}"
        upgrade_to_head(url)
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:  # the PostgreSQL database is shared by the module's tests
        for model in (OutboxReply, InboundMessage, User):
            conn.execute(delete(model))
    yield engine
    engine.dispose()


def store(engine: Engine, *messages: Received, channel: str = "whatsapp") -> list[bool]:
    with Session(engine) as session, session.begin():
        return inbound.store_messages(
            session, channel=channel, messages=messages, received_at=utcnow()
        )


def claim(engine: Engine, owner: str, user: str = WA, **kwargs: object) -> Claimed | None:
    values: dict = {"now": utcnow(), "lease": LEASE, "max_attempts": 5, **kwargs}
    with Session(engine) as session, session.begin():
        return inbound.claim_next(
            session, channel="whatsapp", channel_user_id=user, owner=owner, **values
        )


def finish(engine: Engine, claimed: Claimed) -> None:
    with Session(engine) as session, session.begin():
        inbound.finish(session, message_id=claimed.id, now=utcnow())


def text(external_id: str, body: str = DARIJA, user: str = WA) -> Received:
    return Received(external_id, user, {"text": body, "typed": True})


def test_a_message_is_stored_once_with_what_answers_need(db: Engine) -> None:
    assert store(db, text("wamid.1"), text("wamid.1"), text("wamid.2")) == [True, False, True]
    assert store(db, text("wamid.1")) == [False]
    assert store(db, text("wamid.1"), channel="twilio_whatsapp") == [True]
    first = claim(db, "worker-a")
    assert first is not None and first.payload == {"text": DARIJA, "typed": True}
    assert (first.external_id, first.channel_user_id, first.attempts) == ("wamid.1", WA, 1)


def test_a_new_message_of_a_known_user_is_their_last_contact(db: Engine) -> None:
    with Session(db) as session, session.begin():
        session.add(User(channel="whatsapp", channel_user_id=WA))
    store(db, text("wamid.1"))
    with Session(db) as session:
        assert session.scalars(select(User.last_inbound_at)).one() is not None


def test_two_claimers_one_message(db: Engine) -> None:
    store(db, text("wamid.1"))
    assert claim(db, "worker-a") is not None
    assert claim(db, "worker-b") is None  # held by a live worker
    assert claim(db, "worker-a") is not None  # its own, again (after a failed attempt)


def test_a_user_s_messages_are_taken_in_order_by_one_worker_at_a_time(db: Engine) -> None:
    store(db, text("wamid.1"), text("wamid.2"), text("other.1", user="212600000001"))
    first = claim(db, "worker-a")
    assert first is not None and first.external_id == "wamid.1"
    assert claim(db, "worker-b") is None  # wamid.2 waits behind wamid.1
    other = claim(db, "worker-b", user="212600000001")
    assert other is not None and other.external_id == "other.1"  # other users go on
    finish(db, first)
    second = claim(db, "worker-b")
    assert second is not None and second.external_id == "wamid.2"


def test_an_expired_lease_is_taken_over(db: Engine) -> None:
    store(db, text("wamid.1"))
    assert claim(db, "dead-worker") is not None
    later = utcnow() + LEASE + timedelta(seconds=1)
    taken = claim(db, "worker-b", now=later)
    assert taken is not None and taken.attempts == 2


def test_a_renewed_lease_is_not_taken_over(db: Engine) -> None:
    store(db, text("wamid.1"))
    held = claim(db, "worker-a")
    assert held is not None
    with Session(db) as session, session.begin():
        until = utcnow() + 2 * LEASE
        assert inbound.renew_lease(session, message_id=held.id, owner="worker-a", until=until)
        assert not inbound.renew_lease(session, message_id=held.id, owner="worker-b", until=until)
    assert claim(db, "worker-b", now=utcnow() + LEASE + timedelta(seconds=1)) is None


def test_a_released_message_waits_until_its_time(db: Engine) -> None:
    store(db, text("wamid.1"))
    held = claim(db, "worker-a")
    assert held is not None
    later = utcnow() + timedelta(minutes=1)
    with Session(db) as session, session.begin():
        inbound.release(session, message_id=held.id, owner="worker-a", not_before=later)
    assert claim(db, "worker-a") is None and claim(db, "worker-b") is None
    assert claim(db, "worker-b", now=later + timedelta(seconds=1)) is not None


def test_a_message_tried_too_often_is_given_up(db: Engine) -> None:
    store(db, text("wamid.1"), text("wamid.2"))
    for _ in range(2):
        assert claim(db, "w", max_attempts=2, now=utcnow() + timedelta(hours=1)) is not None
    taken = claim(db, "w", max_attempts=2, now=utcnow() + timedelta(hours=2))
    assert taken is not None and taken.external_id == "wamid.2"
    with Session(db) as session:
        rows = session.execute(select(InboundMessage.external_id, InboundMessage.status))
        statuses = {external_id: status for external_id, status in rows}
    assert statuses == {"wamid.1": "failed", "wamid.2": "pending"}


def test_finishing_drops_the_texts_and_keeps_what_was_delivered(db: Engine) -> None:
    store(db, text("wamid.1"))
    held = claim(db, "worker-a")
    assert held is not None
    with Session(db) as session, session.begin():
        replies = outbox.store_replies(
            session, inbound_id=held.id, replies=[{"text": "مرحبا"}, {"text": "2"}]
        )
        outbox.mark_parts_sent(session, reply_id=replies[0].id, parts_sent=1)
    with Session(db) as session:
        stored = outbox.stored_replies(session, inbound_id=held.id)
    assert [(r.position, r.content, r.parts_sent) for r in stored] == [
        (0, {"text": "مرحبا"}, 1),
        (1, {"text": "2"}, 0),
    ]
    finish(db, held)
    with Session(db) as session:
        row = session.scalars(select(InboundMessage)).one()
        assert (row.status, row.payload, row.lease_owner) == ("done", None, None)
        kept = session.execute(select(OutboxReply.content, OutboxReply.parts_sent)).all()
        assert sorted(kept) == [(None, 0), (None, 1)]
        assert outbox.stored_replies(session, inbound_id=held.id) == []
    assert claim(db, "worker-b") is None
    assert store(db, text("wamid.1")) == [False]  # a redelivery of an answered message


def test_waiting_senders_are_those_nobody_holds(db: Engine) -> None:
    store(db, text("a.1", user="A"), text("b.1", user="B"), text("c.1", user="C"))
    assert claim(db, "worker-a", user="A") is not None
    assert claim(db, "dead", user="B", now=utcnow() - 2 * LEASE) is not None  # lease over
    with Session(db) as session:
        now = utcnow()
        waiting = inbound.waiting_senders(session, channel="whatsapp", now=now, received_before=now)
        fresh = inbound.waiting_senders(
            session, channel="whatsapp", now=now, received_before=now - timedelta(minutes=1)
        )
    assert waiting == ["B", "C"]  # A is held by a live worker
    assert fresh == ["B"]  # C was just stored: its own process takes it


def test_release_all_gives_back_what_a_stopping_process_holds(db: Engine) -> None:
    store(db, text("a.1", user="A"), text("b.1", user="B"))
    assert claim(db, "stopping", user="A") is not None
    assert claim(db, "other", user="B") is not None
    with Session(db) as session, session.begin():
        assert inbound.release_all(session, channel="whatsapp", owner="stopping") == 1
    assert claim(db, "new", user="A") is not None
    assert claim(db, "new", user="B") is None


def test_rows_from_before_are_answered_ones(tmp_path: Path) -> None:
    """Migration 0004: the ids stored before it belong to messages that were handled."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0003")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO inbound_messages (channel, external_id, received_at)"
            " VALUES ('telegram', '1001', '2026-11-20 10:00:00')"
        )
    upgrade_to_head(url)
    with Session(engine) as session:
        row = session.scalars(select(InboundMessage)).one()
        assert (row.status, row.attempts, row.channel_user_id) == ("done", 0, None)
    assert store(engine, Received("1001", "42", {}), channel="telegram") == [False]
    engine.dispose()


def test_many_workers_claiming_at_once_take_each_message_once(db: Engine) -> None:
    """Eight threads, each its own owner, claim 60 messages of 6 users as fast as they can:
    every message is taken exactly once, and each user's in the order they arrived."""
    users = [f"2126000000{n:02d}" for n in range(6)]
    store(db, *[text(f"{u}.{i:02d}", user=u) for i in range(10) for u in users])
    taken: list[tuple[str, str]] = []
    lock = threading.Lock()

    def work(owner: str) -> None:
        idle = 0
        while idle < 3:
            idle += 1
            for user in users:
                held = claim(db, owner, user=user)
                if held is not None:
                    idle = 0
                    with lock:
                        taken.append((owner, held.external_id))
                    finish(db, held)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, [f"worker-{n}" for n in range(8)]))
    ids = [external_id for _, external_id in taken]
    assert sorted(ids) == sorted(f"{u}.{i:02d}" for i in range(10) for u in users)
    assert len(ids) == len(set(ids)) == 60
    for user in users:
        mine = [i for i in ids if i.startswith(user)]
        assert mine == sorted(mine)
    with Session(db) as session:
        assert set(session.scalars(select(InboundMessage.status))) == {"done"}


def test_a_message_with_a_nul_character_is_stored_and_read_back(db: Engine) -> None:
    """PostgreSQL refuses NUL in text: the message is kept as JSON, which escapes it."""
    hostile = "salam\x00\u202e\U0001f600 <script>"
    assert store(db, text("wamid.nul", body=hostile)) == [True]
    held = claim(db, "worker-a")
    assert held is not None and held.payload["text"] == hostile
