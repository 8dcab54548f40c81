"""Conversations stored before they were keyed by channel, renamed once to ``<channel>:<id>``.

Conversations used to be keyed by the platform's bare user id, so a Telegram user and a REST
client posting that id shared one conversation. Each channel now prefixes its user ids
(core.identity). The first tracker store built on a database renames every stored sender id
to ``<channel>:<id>`` (all of them: an old REST client could have posted ``telegram:42``), the
channel being that of the conversation's
first user message (``rest`` when it has none), and records that it did so in the table
``asmex_tracker_migrations``, in the same transaction: the rows of a half-done rename never
stay, and two servers starting at once rename once (the second one waits on the first's
insert, then finds the record).
"""

from __future__ import annotations

import json
import logging
from typing import Final

from sqlalchemy import Column, DateTime, MetaData, String, Table, func, inspect, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from core.identity import CHANNELS, conversation_id

logger = logging.getLogger(__name__)

MIGRATION: Final = "channel_keyed_senders"
#: The channel of a stored conversation none of whose messages names its channel.
DEFAULT_CHANNEL: Final = "rest"

_metadata = MetaData()
MIGRATIONS = Table(
    "asmex_tracker_migrations",
    _metadata,
    Column("name", String(64), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


def legacy_channel(datas: list[str]) -> str:
    """The channel of a legacy conversation: the input channel of its first user message."""
    for data in datas:
        try:
            channel = json.loads(data).get("input_channel")
        except (ValueError, AttributeError):
            continue
        if isinstance(channel, str) and channel:
            return channel if channel in CHANNELS else DEFAULT_CHANNEL
    return DEFAULT_CHANNEL


def _renames(connection: Connection, events: Table) -> dict[str, str]:
    senders = connection.execute(select(events.c.sender_id).distinct()).scalars().all()
    renames = {}
    for sender in senders:
        datas = (
            connection.execute(
                select(events.c.data)
                .where(events.c.sender_id == sender, events.c.type_name == "user")
                .order_by(events.c.id)
            )
            .scalars()
            .all()
        )
        renames[sender] = conversation_id(legacy_channel(list(datas)), sender)
    return renames


def key_conversations_by_channel(engine: Engine, events: Table) -> int:
    """Rename the sender ids of ``events`` once per database, the first time a store of this
    version opens it; how many were renamed."""
    try:
        MIGRATIONS.create(engine, checkfirst=True)
    except DBAPIError:  # created by another server starting at the same moment
        if not inspect(engine).has_table(MIGRATIONS.name):
            raise
    try:
        with engine.begin() as connection:
            connection.execute(MIGRATIONS.insert().values(name=MIGRATION))
            renames = _renames(connection, events)
            for old, new in renames.items():
                connection.execute(
                    update(events).where(events.c.sender_id == old).values(sender_id=new)
                )
    except IntegrityError:  # another server (or an earlier start) did it
        return 0
    if renames:
        logger.info("%d stored conversations keyed by their channel", len(renames))
    return len(renames)
