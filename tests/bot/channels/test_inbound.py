"""Inbound de-duplication: one reply per platform message id, even across restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.inbound import KEEP_IDS_FOR, prune_inbound, record_inbound
from kb.models import InboundMessage, User, utcnow


@pytest.fixture()
def db(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return engine


async def test_first_delivery_true_redelivery_false(db: Engine) -> None:
    assert await record_inbound("telegram", "1001") is True
    assert await record_inbound("telegram", "1001") is False
    assert await record_inbound("telegram", "1002") is True


async def test_same_id_on_another_channel_is_another_message(db: Engine) -> None:
    assert await record_inbound("telegram", "wamid.1") is True
    assert await record_inbound("whatsapp", "wamid.1") is True


async def test_last_inbound_at_is_noted_for_a_known_user(db: Engine) -> None:
    with Session(db) as session, session.begin():
        session.add(User(channel="whatsapp", channel_user_id="212612345678"))
    await record_inbound("whatsapp", "wamid.A", "212612345678")
    with Session(db) as session:
        user = session.scalars(select(User)).one()
        assert user.last_inbound_at is not None


async def test_prune_forgets_old_ids_only(db: Engine) -> None:
    await record_inbound("telegram", "old")
    await record_inbound("telegram", "new")
    with Session(db) as session, session.begin():
        row = session.scalars(
            select(InboundMessage).where(InboundMessage.external_id == "old")
        ).one()
        row.received_at = utcnow() - KEEP_IDS_FOR - timedelta(hours=1)
    assert await prune_inbound() == 1
    assert await record_inbound("telegram", "new") is False


async def test_database_down_still_handles_the_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/kb.db")
    assert await record_inbound("telegram", "42") is True
