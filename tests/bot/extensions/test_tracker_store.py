"""After "delete my data" the stored conversation is gone, not only reset."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import rasa.shared.utils.common
import sqlalchemy.event
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    AllSlotsReset,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from sqlalchemy import select

from bot.extensions import event_types
from bot.extensions.tracker_store import STORED_EVENTS, ErasingSQLTrackerStore, events_after_erasure

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


async def test_sqlite_store_keeps_its_connection_between_messages(
    store: ErasingSQLTrackerStore,
) -> None:
    connects: list[object] = []
    sqlalchemy.event.listen(store.engine, "connect", lambda conn, _record: connects.append(conn))
    tracker = DialogueStateTracker.from_events("u1", _conversation("u1"))
    for _ in range(3):  # a message: read the conversation, save the turn
        await store.save(tracker)
        tracker = await store.retrieve("u1")
        assert tracker is not None
    assert len(connects) <= 1  # SQLAlchemy 1.4's default for a file opened one per session
    with store.engine.connect() as connection:  # and every pooled connection has the pragmas
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1


async def test_sqlite_store_serves_other_threads(store: ErasingSQLTrackerStore) -> None:
    """A pooled connection may be used from another thread (Rasa's `export`, an executor)."""
    saved = DialogueStateTracker.from_events("u1", _conversation("u1"))
    await store.save(saved)
    tracker = await asyncio.to_thread(lambda: asyncio.run(store.retrieve("u1")))
    assert tracker is not None
    assert [e.as_dict() for e in tracker.events] == [e.as_dict() for e in saved.events]


# --- the cheaper reads and writes: the same rows and trackers as Rasa's SQLTrackerStore ----


def _rows(store: SQLTrackerStore) -> list[tuple]:
    table = store.SQLEvent.__table__
    columns = [c for c in table.c if c.name != "id"]
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(*columns).order_by(table.c.id))]


def _turn(text: str, intent: str, answer: str) -> list:
    return [
        UserUttered(text, {"name": intent, "confidence": 0.9}, [], {"text": text}),
        ActionExecuted("action_set_language"),
        SlotSet("language", "fr"),
        ActionExecuted(answer),
        BotUttered(f"reply to {text}", {"buttons": [{"title": "Oui", "payload": "/affirm"}]}),
        ActionExecuted("action_listen"),
    ]


def _new_session() -> list:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("language", "fr"),
        ActionExecuted("action_listen"),
    ]


async def test_rows_and_trackers_are_those_of_rasas_sql_store(tmp_path: Path) -> None:
    domain = Domain.load("domain.yml")
    ours = ErasingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "o.db"))
    rasa = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "r.db"))
    steps = [
        _turn("salut", "greet", "utter_greet"),
        _turn("missions au Kenya", "ask_missions", "action_missions"),
        _new_session() + _turn("bonjour", "greet", "utter_greet"),
        _turn("la deuxième", "ask_mission_details", "action_mission_details"),
    ]
    first = [ActionExecuted("action_listen")]
    await ours.save(DialogueStateTracker.from_events("u1", first, slots=domain.slots))
    await rasa.save(DialogueStateTracker.from_events("u1", first, slots=domain.slots))
    for events in steps:
        for store in (ours, rasa):
            tracker = await store.retrieve("u1")
            assert tracker is not None
            for event in events:
                tracker.update(event)
            await store.save(tracker)

    assert len(_rows(ours)) == 1 + sum(len(events) for events in steps)
    assert _rows(ours) == _rows(rasa)
    for sessions in ("retrieve", "retrieve_full_tracker"):
        mine = await getattr(ours, sessions)("u1")
        theirs = await getattr(rasa, sessions)("u1")
        assert mine is not None and theirs is not None
        assert list(mine.events) == list(theirs.events)
        assert mine.current_slot_values() == theirs.current_slot_values()
    latest = await ours.retrieve("u1")
    assert latest is not None
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == [
        "bonjour",
        "la deuxième",
    ]
    assert await ours.retrieve("nobody") is None
    # the statement is built once: another sender, read in turn with the first, gets their own
    other = first + _turn("salam", "greet", "utter_greet")
    for store in (ours, rasa):
        await store.save(DialogueStateTracker.from_events("u2", other, slots=domain.slots))
    for sender in ("u2", "u1", "u2"):
        for sessions in ("retrieve", "retrieve_full_tracker"):
            mine = await getattr(ours, sessions)(sender)
            theirs = await getattr(rasa, sessions)(sender)
            assert mine is not None and theirs is not None
            assert list(mine.events) == list(theirs.events)
    u2 = await ours.retrieve("u2")
    assert u2 is not None and [e.text for e in u2.events if isinstance(e, UserUttered)] == ["salam"]


async def test_a_tracker_saved_twice_stores_each_event_once(store: ErasingSQLTrackerStore) -> None:
    tracker = DialogueStateTracker.from_events("u1", _turn("salut", "greet", "utter_greet"))
    await store.save(tracker)
    for event in _new_session() + _turn("missions", "ask_missions", "action_missions"):
        tracker.update(event)
    await store.save(tracker)
    await store.save(tracker)  # nothing new: nothing written

    stored = await store.retrieve_full_tracker("u1")
    assert stored is not None
    assert list(stored.events) == list(tracker.events)


async def test_a_tracker_the_store_did_not_return_has_its_stored_events_counted(
    store: ErasingSQLTrackerStore,
) -> None:
    earlier = _turn("salut", "greet", "utter_greet")
    await store.save(DialogueStateTracker.from_events("u1", earlier))
    later = _turn("missions", "ask_missions", "action_missions")
    rebuilt = DialogueStateTracker.from_events("u1", earlier + later)  # e.g. Rasa's replace API
    await store.save(rebuilt)
    retrieved = await store.retrieve("u1")
    assert retrieved is not None
    setattr(retrieved, STORED_EVENTS, 10_000)  # a count that cannot be right is not trusted
    extra = _turn("merci", "thank", "utter_thank")
    for event in extra:
        retrieved.update(event)
    await store.save(retrieved)

    stored = await store.retrieve_full_tracker("u1")
    assert stored is not None
    assert list(stored.events) == earlier + later + extra


def _no_subclass_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    def walk(_cls: type) -> list:
        raise AssertionError("Event's subclasses walked again")

    monkeypatch.setattr(rasa.shared.utils.common, "all_subclasses", walk)


def test_event_classes_are_found_as_rasa_finds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "action", "slot", "session_started", "bot"} <= names
    for name in names:
        assert event_types.resolve_by_type(name) is event_types._RASA_RESOLVE(name)
    assert Event.resolve_by_type is event_types.resolve_by_type  # installed
    assert event_types.resolve_by_type("topic") is None
    assert event_types.resolve_by_type("nonsense", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'nonsense'"):
        event_types.resolve_by_type("nonsense")

    expected = {name: event_types._RASA_RESOLVE(name) for name in names}
    _no_subclass_walk(monkeypatch)  # a known name is found without walking them again
    assert {name: Event.resolve_by_type(name) for name in names} == expected


def test_an_event_class_defined_later_is_found_then_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event_types.resolve_by_type("user")  # the names known so far are remembered

    class LateEvent(ActionExecuted):
        type_name = "asmex_late_event_for_test"

    assert event_types.resolve_by_type("asmex_late_event_for_test") is LateEvent
    _no_subclass_walk(monkeypatch)
    assert Event.resolve_by_type("asmex_late_event_for_test") is LateEvent
