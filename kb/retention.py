"""Retention: conversation events and inbound message records older than a cut-off, deleted.

Two stores hold what members wrote. The tracker store keeps each conversation's events in
Rasa's ``events`` table (the ``timestamp`` column is seconds since the epoch), in the database
the endpoints file names; the knowledge base keeps each inbound message (``inbound_messages``,
with the text until it was answered) and the replies stored for it, which go with their
message, and the transcripts of live handoffs (``handoff_messages``). Registrations,
consents, alert subscriptions, handoffs and notifications are kept
until the member erases them ("delete my data").

Rows are deleted in batches of at most ``limit``, each batch its own transaction (the caller
commits between them), so that the servers writing at the same time never wait long for
the database (SQLite has one writer at a time).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Table, column, func, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import TableClause

from kb.models import metadata
from kb.privacy import delete_with_dependents

#: The knowledge base's records of messages, pruned by age: table name -> time column.
MESSAGE_RECORDS: Final = {"inbound_messages": "received_at", "handoff_messages": "created_at"}
#: Rasa's tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
TRACKER_EVENTS: Final[TableClause] = table("events", column("id"), column("timestamp"))
#: Rows deleted per transaction.
BATCH: Final = 2000


def _records(name: str) -> tuple[Table, Any]:
    records = metadata.tables[name]
    return records, records.c[MESSAGE_RECORDS[name]]


def count_message_records(session: Session, *, before: datetime) -> dict[str, int]:
    """How many records of each MESSAGE_RECORDS table were received before ``before``."""
    counts = {}
    for name in MESSAGE_RECORDS:
        records, received = _records(name)
        counts[name] = int(
            session.scalar(select(func.count()).select_from(records).where(received < before)) or 0
        )
    return counts


def prune_message_records(
    session: Session, *, before: datetime, limit: int = BATCH
) -> Counter[str]:
    """Delete at most ``limit`` records of each MESSAGE_RECORDS table received before
    ``before``, with the rows that refer to them (stored replies); the rows deleted per table.
    """
    deleted: Counter[str] = Counter()
    for name in MESSAGE_RECORDS:
        records, received = _records(name)
        ids = session.scalars(
            select(records.c.id).where(received < before).order_by(records.c.id).limit(limit)
        ).all()
        if ids:
            deleted.update(delete_with_dependents(session, records, records.c.id.in_(ids)))
    return deleted


def count_conversation_events(connection: Connection, *, before: datetime) -> int:
    """How many events of the tracker store happened before ``before``."""
    return int(
        connection.scalar(
            select(func.count())
            .select_from(TRACKER_EVENTS)
            .where(TRACKER_EVENTS.c.timestamp < before.timestamp())
        )
        or 0
    )


def prune_conversation_events(
    connection: Connection, *, before: datetime, limit: int = BATCH
) -> int:
    """Delete at most ``limit`` events of the tracker store that happened before ``before``
    (the oldest first); how many were deleted."""
    ids = connection.scalars(
        select(TRACKER_EVENTS.c.id)
        .where(TRACKER_EVENTS.c.timestamp < before.timestamp())
        .order_by(TRACKER_EVENTS.c.id)
        .limit(limit)
    ).all()
    if not ids:
        return 0
    result = connection.execute(TRACKER_EVENTS.delete().where(TRACKER_EVENTS.c.id.in_(ids)))
    return int(result.rowcount or 0)
