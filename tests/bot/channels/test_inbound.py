"""Inbound messages as a channel stores them: once per platform id, across restarts; never
acknowledged when the database cannot store them; forgotten after KEEP_IDS_FOR."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.inbound import (
    KEEP_IDS_FOR,
    DatabaseUnavailable,
    InboundLog,
    Received,
    prune_inbound,
    retry_delay,
)
from kb.models import InboundMessage, User, utcnow


@pytest.fixture()
def db(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return engine


def message(external_id: str, user: str = "4242", text: str = "السلام عليكم") -> Received:
    return Received(external_id, user, {"update": {"text": text}})


async def test_first_delivery_is_new_a_redelivery_is_not(db: Engine) -> None:
    log = InboundLog("telegram")
    assert await log.store([message("1001")]) == [True]
    assert await log.store([message("1001"), message("1002")]) == [False, True]
    assert await InboundLog("whatsapp").store([message("1001")]) == [True]


async def test_the_last_contact_of_a_known_user_is_noted(db: Engine) -> None:
    with Session(db) as session, session.begin():
        session.add(User(channel="whatsapp", channel_user_id="212612345678"))
    await InboundLog("whatsapp").store([message("wamid.A", "212612345678")])
    with Session(db) as session:
        assert session.scalars(select(User.last_inbound_at)).one() is not None


async def test_a_long_id_is_cut_to_the_column(db: Engine) -> None:
    log = InboundLog("twilio_whatsapp")
    assert await log.store([message("SM" + "9" * 300)]) == [True]
    assert await log.store([message("SM" + "9" * 300)]) == [False]


async def test_a_database_down_stores_nothing_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/kb.db")
    with pytest.raises(DatabaseUnavailable):
        await InboundLog("telegram").store([message("42")])


class OtherProcess(InboundLog):
    """The same channel in another process (another Sanic worker)."""

    owner = "other-worker"  # type: ignore[assignment]


async def test_claimed_by_one_process_then_finished(db: Engine) -> None:
    log, other = InboundLog("telegram"), OtherProcess("telegram")
    await log.store([message("1"), message("2")])
    first = await log.claim_next("4242")
    assert first is not None and first.payload == {"update": {"text": "السلام عليكم"}}
    assert await other.claim_next("4242") is None  # the user's next waits for this one
    await log.finish(first)
    second = await other.claim_next("4242")
    assert second is not None and second.external_id == "2"


async def test_retry_later_waits_longer_each_time(db: Engine) -> None:
    assert retry_delay(1) < retry_delay(2) < retry_delay(3) <= retry_delay(30)
    log = InboundLog("telegram")
    await log.store([message("1")])
    claimed = await log.claim_next("4242")
    assert claimed is not None
    await log.retry_later(claimed)
    assert await log.claim_next("4242") is None
    assert await OtherProcess("telegram").claim_next("4242") is None
    assert await log.waiting_senders() == []  # not due yet


async def test_prune_forgets_old_ids_only(db: Engine) -> None:
    log = InboundLog("telegram")
    await log.store([message("old"), message("new")])
    with Session(db) as session, session.begin():
        session.execute(
            update(InboundMessage)
            .where(InboundMessage.external_id == "old")
            .values(received_at=utcnow() - KEEP_IDS_FOR - timedelta(hours=1))
        )
    assert await prune_inbound() == 1
    assert await log.store([message("new")]) == [False]
    assert await log.store([message("old")]) == [True]
