"""The conversation store fails loudly: no empty conversation on a failed read, no turn
"saved" into memory on a failed write; the stored conversation stays as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import extensions
from bot.extensions.fail_closed import TrackerStoreUnavailable
from bot.extensions.tracker_store import ErasingSQLTrackerStore

SENDER = "telegram:4242"
EMAIL = "karim@atlas-export.ma"


@pytest.fixture(autouse=True)
def installed() -> None:
    extensions.install()


class BrokenStore(InMemoryTrackerStore):
    """A store whose database is gone."""

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        raise ConnectionError("connection refused")

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        raise ConnectionError("connection refused")

    async def save(self, tracker: DialogueStateTracker) -> None:
        raise ConnectionError("connection refused")

    async def keys(self) -> list[str]:
        raise ConnectionError("connection refused")


async def test_a_failing_store_raises_and_nothing_falls_back_to_memory() -> None:
    store = FailSafeTrackerStore(BrokenStore(Domain.empty()))
    tracker = DialogueStateTracker.from_events(SENDER, [UserUttered("bonjour")])
    for call in (
        store.retrieve(SENDER),
        store.retrieve_full_tracker(SENDER),
        store.get_or_create_tracker(SENDER),  # Rasa's read before every turn
        store.save(tracker),
        store.keys(),
    ):
        with pytest.raises(TrackerStoreUnavailable):
            await call
    assert store._fallback_tracker_store is None


@pytest.fixture()
def sqlite_store(tmp_path: Path) -> Iterator[tuple[FailSafeTrackerStore, Path]]:
    path = tmp_path / "tracker.db"
    domain = Domain.from_dict(
        {"slots": {"email": {"type": "text", "mappings": [{"type": "custom"}]}}}
    )
    primary = ErasingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(path))
    yield FailSafeTrackerStore(primary), path
    primary.engine.dispose()


def _turn(text: str, slot: str | None = None) -> list:
    events = [UserUttered(text, {"name": "inform"}), ActionExecuted("registration_form")]
    if slot:
        events.append(SlotSet("email", slot))
    return [*events, BotUttered("Votre numéro de téléphone ?"), ActionExecuted("action_listen")]


async def test_a_locked_sqlite_store_fails_the_turn_and_keeps_the_conversation(
    sqlite_store: tuple[FailSafeTrackerStore, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """Another connection holds the database longer than busy_timeout (5 s): the turn's save
    fails loudly; once the lock is gone the same turn is stored once, after the earlier ones."""
    store, path = sqlite_store
    tracker = DialogueStateTracker.from_events(
        SENDER, _turn("Atlas Export SARL"), slots=list(store.domain.slots)
    )
    await store.save(tracker)

    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        during = await store.retrieve(SENDER)  # WAL: reading goes on
        assert during is not None
        for event in _turn(EMAIL, slot=EMAIL):
            during.update(event)
        with pytest.raises(TrackerStoreUnavailable):
            await store.save(during)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert EMAIL not in caplog.text  # the statement's parameters stay out of the logs

    after = await store.retrieve(SENDER)
    assert after is not None and after.get_slot("email") is None  # not "saved" anywhere
    assert [e.text for e in after.events if isinstance(e, UserUttered)] == ["Atlas Export SARL"]
    for event in _turn(EMAIL, slot=EMAIL):  # the member sends it again
        after.update(event)
    await store.save(after)
    stored = await store.retrieve(SENDER)
    assert stored is not None and stored.get_slot("email") == EMAIL
    texts = [e.text for e in stored.events if isinstance(e, UserUttered)]
    assert texts == ["Atlas Export SARL", EMAIL]
