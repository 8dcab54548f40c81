"""kb.privacy: after an erasure no value of the person is left in any table of the schema.

The tables are those of the models' metadata, walked whole: a table added later is searched
without a change here, and a table that refers to a person (kb.privacy.personal_rows) but was
given no row of theirs by ``seed`` fails the test, so its rows are seeded and checked too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kb.alerts import subscribe_alerts
from kb.handoffs import ConversationTurn, request_handoff
from kb.inbound import FAILED, Received, finish, store_messages
from kb.models import (
    Event,
    InboundMessage,
    NotificationSent,
    Registration,
    User,
    metadata,
    utcnow,
)
from kb.outbox import store_replies
from kb.privacy import ERASED_COMPANY, erase_user_data, personal_rows
from kb.registrations import create_registration
from kb.users import get_or_create_user, record_consent, set_user_language
from tests.kb.conftest import TODAY


@dataclass(frozen=True)
class Person:
    """A member on one channel, and every personal value they gave."""

    channel: str
    channel_user_id: str
    company: str
    ice: str
    contact: str
    email: str
    phone: str
    #: What they wrote (a request for a person, messages kept by the channels).
    said: str

    def values(self) -> list[str]:
        """Every value to look for: identifiers too, in the forms a column may hold them."""
        values = [
            self.channel_user_id,
            f"{self.channel}:{self.channel_user_id}",
            self.company,
            self.ice,
            self.contact,
            self.email,
            self.phone,
            self.phone.lstrip("+"),
            self.said,
        ]
        return values + [json.dumps(v)[1:-1] for v in values if not v.isascii()]


#: The person who asks for the erasure: Arabic and Darija values.
ERASED = Person(
    channel="telegram",
    channel_user_id="7000004321",
    company="شركة سوس للتصدير الفريدة",
    ice="002468135700041",
    contact="يوسف البناني",
    email="youssef.bennani@souss-export.example",
    phone="+212661234567",
    said="بغيت نهضر مع شي واحد على التسجيل ديالي فداكار",
)
#: Another member, whose data stays as it was.
OTHER = Person(
    channel="whatsapp",
    channel_user_id="212698765432",
    company="Atlas Export SARL",
    ice="001525822000088",
    contact="Samira Alaoui",
    email="samira@atlas-export.example",
    phone="+212698765432",
    said="je voudrais parler à quelqu'un de mon inscription",
)


def seed(session: Session, person: Person) -> int:
    """Rows of every kind about ``person``, written as the assistant writes them; the user id."""
    record_consent(
        session,
        channel=person.channel,
        channel_user_id=person.channel_user_id,
        version="registration-v1",
        language="ar",
    )
    user = get_or_create_user(
        session, channel=person.channel, channel_user_id=person.channel_user_id
    )
    set_user_language(session, user_id=user.id, language="ar")
    personal = dict(
        company_name=person.company,
        ice=person.ice,
        contact_name=person.contact,
        email=person.email,
        phone=person.phone,
        sector="agrifood",
    )
    create_registration(session, event_slug="soon-2026", user_id=user.id, today=TODAY, **personal)
    past = session.scalars(select(Event).where(Event.slug == "past-2025")).one()
    session.add(Registration(event_id=past.id, user_id=user.id, status="confirmed", **personal))
    subscribe_alerts(session, user_id=user.id, country="KE")
    subscribe_alerts(session, user_id=user.id, sector="ict")
    request_handoff(
        session,
        user_id=user.id,
        language="ar",
        region="souss-massa",
        turns=[ConversationTurn(person.said, "ask_human")],
    )
    session.add(NotificationSent(kind="alert", user_id=user.id, event_id=past.id, status="sent"))
    # A message the channel gave up on (its text kept), with the reply stored for it.
    inbound_id = store_message(session, person, f"{person.channel_user_id}-1", person.said)
    store_replies(
        session, inbound_id=inbound_id, replies=[{"text": f"{person.contact}, c'est noté."}]
    )
    session.execute(
        update(InboundMessage).where(InboundMessage.id == inbound_id).values(status=FAILED)
    )
    session.flush()
    return user.id


def store_message(session: Session, person: Person, external_id: str, text: str) -> int:
    """A message of ``person`` as their channel stores it on arrival (pending); its id."""
    store_messages(
        session,
        channel=person.channel,
        messages=[Received(external_id, person.channel_user_id, {"text": text})],
        received_at=utcnow(),
    )
    return session.scalars(
        select(InboundMessage.id).where(InboundMessage.external_id == external_id)
    ).one()


# --- walking the schema --------------------------------------------------------------------------


def every_row(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the models' metadata."""
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table))]
            for table in metadata.sorted_tables
        }


def cells_holding(engine: Engine, values: list[str]) -> list[str]:
    """``table.column = value`` for each cell (any type, as text) holding one of ``values``."""
    found = []
    for name, rows in every_row(engine).items():
        columns = [c.name for c in metadata.tables[name].columns]
        for row in rows:
            for column, cell in zip(columns, row, strict=True):
                text = "" if cell is None else str(cell)
                found += [f"{name}.{column} = {cell!r}" for v in values if v and v in text]
    return found


def rows_of(engine: Engine, person: Person, user_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Per table, the rows that hold one of the person's values or refer to their user id."""
    users = metadata.tables["users"]
    selected: dict[str, list[tuple[Any, ...]]] = {}
    for name, rows in every_row(engine).items():
        table = metadata.tables[name]
        refs = [
            i
            for i, column in enumerate(table.columns)
            if any(fk.column is users.c.id for fk in column.foreign_keys)
            or (table is users and column.name == "id")
        ]
        selected[name] = [
            row
            for row in rows
            if any(row[i] == user_id for i in refs)
            or any(v in str(cell) for cell in row for v in person.values())
        ]
    return selected


@pytest.fixture()
def seeded(events: Session, engine: Engine) -> Iterator[tuple[int, int]]:
    """Both members seeded and committed: (erased user id, other user id)."""
    erased_id = seed(events, ERASED)
    other_id = seed(events, OTHER)
    events.commit()
    yield erased_id, other_id


def erase(engine: Engine, person: Person) -> Any:
    with Session(engine) as session, session.begin():
        return erase_user_data(
            session, channel=person.channel, channel_user_id=person.channel_user_id, today=TODAY
        )


# --- tests ---------------------------------------------------------------------------------------


def test_every_table_that_refers_to_a_person_is_seeded(engine: Engine, seeded: Any) -> None:
    """The walk below means something only if each such table held the person's rows."""
    erased_id, _ = seeded
    with Session(engine) as session:
        for table, where in personal_rows(
            user_id=erased_id, channel=ERASED.channel, channel_user_id=ERASED.channel_user_id
        ):
            count = len(session.execute(select(table).where(where)).all())
            assert count, f"seed() writes no row of {table.name}: add one, as the assistant would"


def test_nothing_of_the_person_is_left_in_any_table(engine: Engine, seeded: Any) -> None:
    erased_id, other_id = seeded
    before = cells_holding(engine, ERASED.values())
    assert {cell.split(" = ")[0] for cell in before} >= {
        "users.channel_user_id",
        "registrations.company_name",
        "registrations.ice",
        "registrations.contact_name",
        "registrations.email",
        "registrations.phone",
        "handoffs.summary",
        "inbound_messages.channel_user_id",
        "inbound_messages.payload",
        "outbox_replies.content",
    }
    others = rows_of(engine, OTHER, other_id)

    report = erase(engine, ERASED)

    assert cells_holding(engine, ERASED.values()) == []
    # Nothing refers to the user any more, and the user row is gone.
    assert rows_of(engine, ERASED, erased_id) == {name: [] for name in metadata.tables}
    with Session(engine) as session:
        assert session.get(User, erased_id) is None
    # The other member's rows are exactly as they were.
    assert rows_of(engine, OTHER, other_id) == others
    assert report.user_found
    assert (report.registrations_anonymised, report.registrations_cancelled) == (2, 1)
    assert report.subscriptions_deleted == 2
    assert report.handoffs_deleted == 1
    assert report.notifications_deleted == 1
    assert report.deleted["users"] == 1
    assert report.deleted["inbound_messages"] == report.deleted["outbox_replies"] == 1


def test_registrations_are_kept_as_anonymous_statistics(engine: Engine, seeded: Any) -> None:
    erased_id, _ = seeded
    with Session(engine) as session:
        ids = session.scalars(
            select(Registration.id).where(Registration.user_id == erased_id)
        ).all()
    erase(engine, ERASED)
    with Session(engine) as session:
        rows = session.scalars(select(Registration).where(Registration.id.in_(ids))).all()
        kept = sorted((r.event.slug, r.sector, r.status) for r in rows)
        assert kept == [
            ("past-2025", "agrifood", "confirmed"),
            ("soon-2026", "agrifood", "cancelled"),
        ]
        for row in rows:
            assert row.user_id is None and row.company_name == ERASED_COMPANY
            assert (row.ice, row.contact_name, row.email, row.phone) == (None,) * 4
            # Only the day of registration is kept: the time could single the person out.
            assert row.created_at is not None and row.created_at.time() == datetime.min.time()
        cancelled = next(r for r in rows if r.status == "cancelled")
        assert cancelled.cancelled_at is not None
        assert cancelled.cancelled_at.time() == datetime.min.time()


def test_an_unknown_identity_erases_nothing_and_creates_nothing(
    engine: Engine, seeded: Any
) -> None:
    before = every_row(engine)
    report = erase(engine, Person("telegram", "404", "x", "x", "x", "x", "x", "x"))
    assert not report.user_found and report.deleted == {}
    assert every_row(engine) == before


def test_a_second_erasure_finds_nothing(engine: Engine, seeded: Any) -> None:
    erase(engine, ERASED)
    again = erase(engine, ERASED)
    assert not again.user_found and again.deleted == {}


def test_the_message_being_answered_is_left_to_its_channel(engine: Engine, seeded: Any) -> None:
    """The "yes" that asked for the erasure is still being answered: its replies are stored
    for it after the erasure, then the channel drops its text and replies (finish)."""
    with Session(engine) as session, session.begin():
        asking = store_message(session, ERASED, "erase-yes", "ايه، مسح كلشي")
    erase(engine, ERASED)
    with Session(engine) as session, session.begin():
        assert session.get(InboundMessage, asking) is not None
        store_replies(session, inbound_id=asking, replies=[{"text": "✅ تم: حُذفت بياناتك"}])
        finish(session, message_id=asking, now=utcnow())
    values = [v for v in ERASED.values() if v != ERASED.channel_user_id]
    assert cells_holding(engine, [*values, "مسح كلشي"]) == []
    # What is left is the id of that last message, pruned with the others (kb.retention).
    assert cells_holding(engine, [ERASED.channel_user_id]) == [
        f"inbound_messages.channel_user_id = '{ERASED.channel_user_id}'"
    ]
