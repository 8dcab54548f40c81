"""Erasing a person's data (the right to erasure of law 09-08 / GDPR).

What is erased for one channel identity (channel, channel user id), found from the models'
metadata rather than from a list, so a table added later is covered as soon as it refers to
the person in one of these ways:
- every row that refers to the user (a foreign key to ``users.id``) or names the identity (a
  ``channel`` and a ``channel_user_id`` column, or a conversation id column holding
  ``telegram:<id>``...) is deleted, and before it every row that refers to that row (a stored
  reply of an inbound message): alert subscriptions, requests for a person, notifications,
  consent records, inbound message records, stored replies; only the messages still being
  answered are left to their channel (``IN_FLIGHT``), which empties them once answered;
- registrations are kept for ASMEX's statistics as anonymous rows: event, sector, status and
  the day (not the time) of registration; every other column is emptied (the company name,
  which cannot be empty, becomes ``ERASED_COMPANY``) and the row no longer refers to anyone.
  A confirmed or waitlisted registration to an event that has not ended is cancelled, since
  nobody can be contacted for it any more;
- the user row itself (channel id, language, language hint, consent): deleted.

Rows are found without the user row too (a person who only wrote messages). The caller owns
the transaction: the functions here flush but never commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any, Final

from sqlalchemy import Table, and_, delete, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.identity import conversation_id
from kb.inbound import PENDING
from kb.models import Event, Registration, User, metadata, utcnow
from kb.users import find_user_row

#: What an erased registration's company_name (NOT NULL) holds.
ERASED_COMPANY: Final = "[erased]"
#: The columns of a registration kept after an erasure: none of them identifies anyone.
ANONYMOUS_REGISTRATION_COLUMNS: Final = frozenset(
    {"id", "event_id", "sector", "status", "created_at", "cancelled_at"}
)
#: Columns that hold a whole conversation id (``telegram:42``), in any table.
CONVERSATION_ID_COLUMNS: Final = ("sender_id", "conversation_id")
#: Rows still being answered, left to their channel (table -> status column and value): the
#: "yes" that asked for the erasure is one, and its replies are stored for it after the
#: erasure; the channel drops the text and the replies once they were sent (kb.inbound.finish).
IN_FLIGHT: Final = {"inbound_messages": ("status", PENDING)}


@dataclass(frozen=True)
class ErasureReport:
    """What erase_user_data did; ``deleted`` counts the rows deleted per table."""

    user_found: bool
    registrations_anonymised: int = 0
    registrations_cancelled: int = 0
    deleted: Mapping[str, int] = field(default_factory=dict)

    @property
    def subscriptions_deleted(self) -> int:
        return self.deleted.get("alert_subscriptions", 0)

    @property
    def handoffs_deleted(self) -> int:
        return self.deleted.get("handoffs", 0)

    @property
    def notifications_deleted(self) -> int:
        return self.deleted.get("notifications_sent", 0)


def find_user_id(session: Session, *, channel: str, channel_user_id: str) -> int | None:
    """The id of a known user, without creating one (no record kept for a mere question)."""
    row = find_user_row(session, channel=channel, channel_user_id=channel_user_id)
    return row.id if row is not None else None


def erase_user_data(
    session: Session, *, channel: str, channel_user_id: str, today: date
) -> ErasureReport:
    """Erase everything held about this channel identity; nothing is created."""
    session.flush()
    user = find_user_row(session, channel=channel, channel_user_id=channel_user_id)
    user_id = user.id if user is not None else None
    anonymised = cancelled = 0
    if user_id is not None:
        cancelled, anonymised = _anonymise_registrations(session, user_id=user_id, today=today)
    deleted: Counter[str] = Counter()
    users = metadata.tables[User.__tablename__]
    for table, where in personal_rows(
        user_id=user_id, channel=channel, channel_user_id=channel_user_id
    ):
        if table is not users:
            deleted.update(delete_with_dependents(session, table, where))
    if user_id is not None:
        deleted.update(delete_with_dependents(session, users, users.c.id == user_id))
    session.flush()
    session.expire_all()  # objects loaded before now show what is left
    return ErasureReport(
        user_found=user is not None,
        registrations_anonymised=anonymised,
        registrations_cancelled=cancelled,
        deleted={name: count for name, count in deleted.items() if count},
    )


def personal_rows(
    *, user_id: int | None, channel: str, channel_user_id: str
) -> Iterator[tuple[Table, ColumnElement[Any]]]:
    """Each table of the schema holding rows about this identity, with the condition that
    selects them (registrations, which erase_user_data anonymises, excluded)."""
    users = metadata.tables[User.__tablename__]
    registrations = metadata.tables[Registration.__tablename__]
    sender = conversation_id(channel, channel_user_id)
    for table in metadata.sorted_tables:
        if table is registrations:
            continue
        conditions: list[ColumnElement[Any]] = []
        if user_id is not None:
            conditions += [
                fk.parent == user_id for fk in table.foreign_keys if fk.column is users.c.id
            ]
        if "channel" in table.c and "channel_user_id" in table.c:
            conditions.append(
                and_(table.c.channel == channel, table.c.channel_user_id == channel_user_id)
            )
        conditions += [
            table.c[name] == sender for name in CONVERSATION_ID_COLUMNS if name in table.c
        ]
        if not conditions:
            continue
        where = or_(*conditions)
        if table.name in IN_FLIGHT:
            status, waiting = IN_FLIGHT[table.name]
            where = and_(where, table.c[status] != waiting)
        yield table, where


def _anonymise_registrations(session: Session, *, user_id: int, today: date) -> tuple[int, int]:
    """Cancel the user's registrations (confirmed or waitlisted) to events not ended, then
    empty every column of all their registrations but ANONYMOUS_REGISTRATION_COLUMNS, keeping
    only the day of their dates (the time could single a person out); returns (cancelled,
    anonymised)."""
    table = metadata.tables[Registration.__tablename__]
    mine = table.c.user_id == user_id
    not_ended = select(Event.id).where(Event.end_date >= today).scalar_subquery()
    cancelled = session.execute(
        update(table)
        .where(
            mine,
            table.c.status.in_(("confirmed", "waitlisted")),
            table.c.event_id.in_(not_ended),
        )
        .values(status="cancelled", cancelled_at=utcnow())
    ).rowcount
    emptied: dict[str, Any] = {
        column.name: None
        for column in table.columns
        if column.name not in ANONYMOUS_REGISTRATION_COLUMNS and column.nullable
    }
    emptied["company_name"] = ERASED_COMPANY
    rows = session.execute(
        select(table.c.id, table.c.created_at, table.c.cancelled_at).where(mine)
    ).all()
    for row in rows:
        session.execute(
            update(table)
            .where(table.c.id == row.id)
            .values(
                **emptied,
                created_at=_day_of(row.created_at),
                cancelled_at=_day_of(row.cancelled_at),
            )
        )
    return int(cancelled or 0), len(rows)


def _day_of(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return datetime.combine(moment.date(), time(0), tzinfo=moment.tzinfo or timezone.utc)


def delete_with_dependents(
    session: Session, table: Table, where: ColumnElement[Any]
) -> Counter[str]:
    """Delete ``table``'s rows matching ``where``, after every row of the schema that refers to
    them (and so on down); the rows deleted per table."""
    deleted: Counter[str] = Counter()
    for child in metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is table and child is not table:
                referred = select(fk.column).where(where)
                deleted.update(delete_with_dependents(session, child, fk.parent.in_(referred)))
    result = session.execute(delete(table).where(where))
    deleted[table.name] += int(result.rowcount or 0)
    return deleted
