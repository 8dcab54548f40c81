"""Rasa's SQL tracker store, plus erasure of a conversation after "delete my data".

actions/privacy.py erases the user's rows in the knowledge base and ends with a Restarted event,
but Rasa's SQLTrackerStore keeps every message the user ever sent. This store notices that
action in the tracker it is asked to save, deletes every stored event of that conversation,
and stores only what happened after the restart. Configured in endpoints.yml as
``type: bot.tracker_store.ErasingSQLTrackerStore`` with SQLTrackerStore's own settings.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event, Restarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import delete

from actions.db.session import set_sqlite_pragmas
from bot import action_schema

logger = logging.getLogger(__name__)

# Every Rasa server of this project imports this module (both endpoints files name the store).
action_schema.install()

#: The action that erases a user's data (actions/privacy.py).
ERASE_ACTION = "action_delete_my_data"


def events_after_erasure(events: list[Event]) -> list[Event] | None:
    """Events after the Restarted that follows the erase action, or None if none was run."""
    erased_at = None
    for index, event in enumerate(events):
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION:
            erased_at = index
    if erased_at is None:
        return None
    for index in range(erased_at + 1, len(events)):
        if isinstance(events[index], Restarted):
            return events[index:]
    return None  # the action failed (database down): nothing was erased, keep everything


class ErasingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that forgets a conversation when the user erased their data.

    On SQLite it also uses a WAL journal with ``synchronous=NORMAL``: Rasa commits each turn
    from the event loop, and the default journal's fsync on every commit blocked all
    conversations (4% of the server's samples under load, docs/benchmarks.md). In WAL mode a
    crash of the process loses nothing; a power cut may lose the last turns, never corrupt the
    file.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # WAL journal, commits without fsync, waiting (not failing) on a busy database.
            set_sqlite_pragmas(
                self.engine, "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"
            )

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker; after an erasure, delete the stored conversation first."""
        kept = events_after_erasure(list(tracker.events))
        if kept is None:
            await super().save(tracker)
            return
        with self.session_scope() as session:
            result = session.execute(
                delete(self.SQLEvent).where(self.SQLEvent.sender_id == tracker.sender_id)
            )
            session.commit()
        logger.info(
            "erased %s stored events of a conversation at the user's request", result.rowcount
        )
        fresh = DialogueStateTracker.from_events(
            tracker.sender_id, kept, slots=list(tracker.slots.values())
        )
        await super().save(fresh)
