""" "Delete my data" end to end: after a Telegram member registered, subscribed to alerts and
asked for a person, then erased their data, no table of the knowledge base (every table of the
models' metadata) and no stored conversation holds anything of theirs; another member's data
is untouched. On both stacks (SQLite; PostgreSQL + Redis with two workers)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine

from kb.models import metadata
from kb.session import make_engine
from tests.e2e.conftest import Stack
from tests.e2e.members import Person, RestMember, TelegramMember, register, turn
from tests.e2e.test_conversations import ABIDJAN, DAKAR, registrations, valid_ice

pytestmark = pytest.mark.model

#: The member who erases their data: Darija and Arabic on Telegram.
ERASED = Person(
    channel_user_id="7319024685",
    display_name="Zineb Oubaha",
    company="شركة درعة للتمور",
    ice=valid_ice("0031415926000"),
    contact="زينب أوباها",
    email="zineb.oubaha@draa-dattes.example",
    phone_typed="٠٦٦١٤٧٢٥٨٣",
    phone="+212661472583",
    lang="ar",
)
#: What else they wrote (alerts, a request for a person), kept until they erased it.
ERASED_SAYS = ["نبهني بالمعارض الجديدة في كينيا", "بغيت نهضر مع شي مستشار على التمور ديالي"]
#: Another member, over a REST client, whose data stays.
KEPT = Person(
    channel_user_id="privacy-e2e-kept",
    display_name="Omar Tazi",
    company="Tazi Agrumes SARL",
    ice=valid_ice("0027182818000"),
    contact="Omar Tazi",
    email="omar@tazi-agrumes.example",
    phone_typed="0612847395",
    phone="+212612847395",
    lang="fr",
)


def every_cell(engine: Engine) -> list[tuple[str, str]]:
    """(table.column, value as text) of every non-empty cell of every table of the schema."""
    cells = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    if value is not None:
                        cells.append((f"{table.name}.{column.name}", str(value)))
    return cells


def stored_events(tracker_url: str) -> list[tuple[str, str]]:
    """(conversation id, event data) of every event of the tracker store."""
    engine = create_engine(tracker_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT sender_id, data FROM events ORDER BY id"))
            return [(str(sender), str(data)) for sender, data in rows]
    finally:
        engine.dispose()


def found(values: list[str], cells: list[tuple[str, str]]) -> list[str]:
    """``where = cell`` for each cell holding one of ``values``."""
    return [f"{where} = {cell[:80]!r}" for where, cell in cells for v in values if v in cell]


@pytest.fixture(scope="module")
def database(stack: Stack) -> Iterator[Engine]:
    engine = make_engine(stack.database_url)
    yield engine
    engine.dispose()


def test_delete_my_data_leaves_nothing_of_the_member(stack: Stack, database: Engine) -> None:
    telegram = stack.telegram
    telegram.wait_until(
        lambda: len(telegram.calls_to("setWebhook")) >= stack.workers, 60, "setWebhook"
    )
    kept = RestMember(stack.servers, KEPT)
    register(kept, DAKAR, "je veux m'inscrire à une mission")
    turn(kept, "préviens-moi des missions au Kenya", "utter_alerts_subscribed")

    member = TelegramMember(stack.servers, telegram, database, ERASED)
    register(member, ABIDJAN, "بغيت نتسجل فشي بعثة")
    turn(member, ERASED_SAYS[0], "utter_alerts_subscribed", "utter_alerts_subscribed_all")
    turn(member, ERASED_SAYS[1], "utter_handoff_asmex", "utter_handoff_delegate")
    personal = ERASED.values() + [json.dumps(s)[1:-1] for s in ERASED_SAYS] + ERASED_SAYS
    assert found(personal, every_cell(database))  # the walk finds them before the erasure
    kept_rows = registrations(database, phone=KEPT.phone)
    assert len(kept_rows) == 1

    turn(member, "احذف بياناتي", "utter_ask_delete_confirm")
    turn(member, "نعم", "utter_delete_done")

    cells = every_cell(database)
    values = [v for v in personal if v != ERASED.channel_user_id]
    assert found(values, cells) == []
    # The platform id is left only on the record of the message that asked for the erasure
    # (the one being answered then), until prune deletes it with the others.
    left = found([ERASED.channel_user_id], cells)
    assert left in ([], [f"inbound_messages.channel_user_id = '{ERASED.channel_user_id}'"])
    # Nor does the tracker store: the conversation's events from before the erasure are gone.
    events = stored_events(stack.tracker_url)
    assert found(personal, [("events.data", data) for _, data in events]) == []
    # The other member's data and conversation are untouched.
    assert registrations(database, phone=KEPT.phone) == kept_rows
    assert any(sender == f"rest:{KEPT.channel_user_id}" for sender, _ in events)
    assert found(KEPT.values(), cells)


def test_the_conversation_goes_on_after_the_erasure(stack: Stack, database: Engine) -> None:
    member = TelegramMember(stack.servers, stack.telegram, database, ERASED)
    turn(member, "السلام عليكم", "utter_greet")
    events = stored_events(stack.tracker_url)
    assert any("السلام عليكم" in (json.loads(data).get("text") or "") for _, data in events)
