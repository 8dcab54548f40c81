"""kb.privacy on tables a later change might add: found from the models' metadata, erased
without a change to the erasure (rows that refer to the user, rows keyed by the channel
identity, and the rows that refer to those)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kb.models import metadata
from kb.users import get_or_create_user
from tests.kb.test_privacy import ERASED, OTHER, Person, cells_holding, erase


@pytest.fixture()
def later_tables(engine: Engine) -> Iterator[tuple[Table, Table, Table]]:
    """Three tables a later change might add, in the models' metadata while the test runs:
    notes about a user, message copies keyed by channel identity, and their attachments."""
    notes = Table(
        "test_user_notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
        Column("note", Text),
    )
    copies = Table(
        "test_message_copies",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("channel", String(30)),
        Column("channel_user_id", String(100)),
        Column("body", Text),
    )
    parts = Table(
        "test_message_parts",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("copy_id", Integer, ForeignKey("test_message_copies.id"), nullable=False),
        Column("body", Text),
    )
    added = (notes, copies, parts)
    try:
        for table in added:
            table.create(engine)
        yield added
    finally:
        for table in reversed(added):
            metadata.remove(table)


def test_a_table_added_later_is_erased_too(
    engine: Engine, later_tables: tuple[Table, Table, Table]
) -> None:
    notes, copies, parts = later_tables
    with Session(engine) as session, session.begin():
        erased_id, other_id = (
            get_or_create_user(
                session, channel=person.channel, channel_user_id=person.channel_user_id
            ).id
            for person in (ERASED, OTHER)
        )
    with engine.begin() as connection:
        for person, user_id in ((ERASED, erased_id), (OTHER, other_id)):
            connection.execute(notes.insert().values(user_id=user_id, note=person.contact))
            copy = connection.execute(
                copies.insert().values(
                    channel=person.channel,
                    channel_user_id=person.channel_user_id,
                    body=person.said,
                )
            ).inserted_primary_key[0]
            connection.execute(parts.insert().values(copy_id=copy, body=person.email))
    # Someone who never became a user: their messages are erased all the same.
    stranger = Person("telegram", "7000009999", "-", "-", "-", "-", "-", "واش كاين شي جديد؟")
    with engine.begin() as connection:
        copy = connection.execute(
            copies.insert().values(
                channel="telegram", channel_user_id=stranger.channel_user_id, body=stranger.said
            )
        ).inserted_primary_key[0]
        connection.execute(parts.insert().values(copy_id=copy, body=stranger.said))

    report = erase(engine, ERASED)
    assert cells_holding(engine, ERASED.values()) == []
    assert report.deleted["test_user_notes"] == 1
    assert report.deleted["test_message_copies"] == report.deleted["test_message_parts"] == 1
    assert len(cells_holding(engine, [OTHER.contact, OTHER.said, OTHER.email])) >= 3

    unknown = erase(engine, stranger)
    assert not unknown.user_found
    assert unknown.deleted == {"test_message_copies": 1, "test_message_parts": 1}
    assert cells_holding(engine, [stranger.said]) == []
