"""Conversations stored before they were keyed by channel keep their events and slots under
``<channel>:<id>``, renamed once, by the first store of this version that opens the database."""

from __future__ import annotations

from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from bot.extensions.conversation_ids import MIGRATIONS, legacy_channel
from bot.extensions.tracker_store import ErasingSQLTrackerStore

DOMAIN = Domain.from_dict({"slots": {"company_name": {"type": "text", "mappings": []}}})


def _conversation(sender: str, channel: str | None, company: str) -> DialogueStateTracker:
    events = [ActionExecuted("action_session_start"), SessionStarted()]
    if channel is not None:
        events += [
            ActionExecuted("action_listen"),
            UserUttered("Atlas Export", {"name": "inform"}, input_channel=channel),
        ]
    events.append(SlotSet("company_name", company))
    return DialogueStateTracker.from_events(sender, events)


async def _legacy_database(path: Path) -> None:
    """A tracker database written the old way, by Rasa's own store: bare sender ids."""
    store = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    await store.save(_conversation("12345", "telegram", "Telegram Co"))
    await store.save(_conversation("212612000011", "whatsapp", "WhatsApp Co"))
    await store.save(_conversation("web-1", "rest", "Web Co"))
    # An old REST client posting someone's conversation id: still a REST conversation.
    await store.save(_conversation("telegram:42", "rest", "Forged Co"))
    await store.save(_conversation("silent", None, "Silent Co"))
    store.engine.dispose()


def _senders(path: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars()
        senders = set(rows)
    engine.dispose()
    return senders


async def test_legacy_conversations_are_renamed_with_their_slots(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    await _legacy_database(path)
    store = ErasingSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    assert _senders(path) == {
        "telegram:12345",
        "whatsapp:212612000011",
        "rest:web-1",
        "rest:telegram:42",
        "rest:silent",
    }
    member = await store.retrieve("telegram:12345")
    assert member is not None and member.get_slot("company_name") == "Telegram Co"
    forged = await store.retrieve("rest:telegram:42")
    assert forged is not None and forged.get_slot("company_name") == "Forged Co"
    nothing = await store.retrieve("telegram:42")
    assert nothing is None or nothing.get_slot("company_name") is None


async def test_the_rename_happens_once(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    await _legacy_database(path)
    first = ErasingSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    await first.save(_conversation("telegram:777", "telegram", "New Co"))
    renamed = _senders(path)
    ErasingSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))  # a restart
    assert _senders(path) == renamed
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.execute(MIGRATIONS.select()).all()[0].name == "channel_keyed_senders"
    engine.dispose()


async def test_a_new_database_has_nothing_to_rename(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    store = ErasingSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    await store.save(_conversation("telegram:5", "telegram", "Co"))
    ErasingSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    assert _senders(path) == {"telegram:5"}


def test_the_channel_of_a_legacy_conversation() -> None:
    telegram = '{"event": "user", "input_channel": "telegram"}'
    rest = '{"event": "user", "input_channel": "rest"}'
    assert legacy_channel([telegram, rest]) == "telegram"
    assert legacy_channel(['{"event": "user"}', rest]) == "rest"
    assert legacy_channel(['{"event": "user", "input_channel": "cmdline"}']) == "rest"
    assert legacy_channel(["not json", '{"input_channel": "whatsapp"}']) == "whatsapp"
    assert legacy_channel([]) == "rest"
