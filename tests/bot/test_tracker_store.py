"""After "delete my data" the stored conversation is gone, not only reset."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    AllSlotsReset,
    BotUttered,
    Restarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import ErasingSQLTrackerStore, events_after_erasure

PERSONAL = "je suis Karim, karim@atlas-export.ma, 0612345678"


@pytest.fixture()
def store(tmp_path: Path) -> ErasingSQLTrackerStore:
    return ErasingSQLTrackerStore(
        domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db")
    )


def _conversation(sender: str) -> list:
    return [
        ActionExecuted("action_listen"),
        UserUttered(PERSONAL, {"name": "inform"}),
        SlotSet("email", "karim@atlas-export.ma"),
        ActionExecuted("action_listen"),
        UserUttered("supprime mes donnees", {"name": "delete_my_data"}),
    ]


def _erasure() -> list:
    return [
        ActionExecuted("action_delete_my_data"),
        BotUttered("Vos donnees ont ete effacees."),
        AllSlotsReset(),
        Restarted(),
        ActionExecuted("action_session_start"),
    ]


async def _stored_texts(store: SQLTrackerStore, sender: str) -> str:
    tracker = await store.retrieve_full_tracker(sender)
    assert tracker is not None
    return " ".join(str(e.as_dict()) for e in tracker.events)


async def test_conversation_without_erasure_is_kept(store: ErasingSQLTrackerStore) -> None:
    tracker = DialogueStateTracker.from_events("u1", _conversation("u1"))
    await store.save(tracker)
    assert PERSONAL in await _stored_texts(store, "u1")


async def test_erasure_deletes_every_stored_event_of_that_user_only(
    store: ErasingSQLTrackerStore,
) -> None:
    await store.save(DialogueStateTracker.from_events("other", _conversation("other")))
    first = DialogueStateTracker.from_events("u1", _conversation("u1"))
    await store.save(first)  # an earlier turn, already stored
    for event in _erasure():
        first.update(event)
    await store.save(first)

    stored = await _stored_texts(store, "u1")
    assert PERSONAL not in stored
    assert "karim@atlas-export.ma" not in stored
    tracker = await store.retrieve_full_tracker("u1")
    assert tracker is not None
    assert isinstance(tracker.events[0], Restarted)
    assert tracker.get_slot("email") is None
    assert PERSONAL in await _stored_texts(store, "other")


async def test_next_turns_are_stored_normally(store: ErasingSQLTrackerStore) -> None:
    tracker = DialogueStateTracker.from_events("u1", _conversation("u1") + _erasure())
    await store.save(tracker)
    later = await store.retrieve("u1")
    assert later is not None
    later.update(UserUttered("bonjour", {"name": "greet"}))
    await store.save(later)
    again = await store.retrieve_full_tracker("u1")
    assert again is not None
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["bonjour"]


def test_failed_erase_action_keeps_the_conversation() -> None:
    events = _conversation("u1") + [
        ActionExecuted("action_delete_my_data"),
        BotUttered("Desole, reessayez."),
    ]
    assert events_after_erasure(events) is None
    assert events_after_erasure(_conversation("u1")) is None


def test_sqlite_store_commits_through_a_wal_journal_without_fsync(
    store: ErasingSQLTrackerStore,
) -> None:
    with store.engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout")
        }
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 5000}
