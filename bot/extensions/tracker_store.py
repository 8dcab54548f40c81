"""Rasa's SQL tracker store, plus erasure of a conversation after "delete my data", and
cheaper reads and writes.

actions/privacy.py erases the user's rows in the knowledge base and ends with a Restarted event,
but Rasa's SQLTrackerStore keeps every message the user ever sent. This store notices that
action in the tracker it is asked to save, deletes every stored event of that conversation,
and stores only what happened after the restart. Configured in endpoints.yml as
``type: bot.extensions.tracker_store.ErasingSQLTrackerStore`` with SQLTrackerStore's own settings.

Rasa reads and writes the tracker on every message, from the event loop; its SQL store was a
large part of the Rasa server's time under load (docs/benchmarks.md, profile 4). This one stores
the same rows and reads them the same way, with less work per message:
- it reads only the ``data`` column, as rows rather than ORM objects, with Rasa's query built
  once as an SQL statement;
- it remembers, on the tracker it returns, how many of that session's events are already
  stored, so saving it does not count them again with a query (a tracker it did not return,
  or a count that no longer fits, is counted as Rasa does);
- it inserts a turn's new events in one statement rather than one ORM object each;
- on an SQLite file it keeps its connections in a pool, where SQLAlchemy 1.4 opens and closes
  one per read and per write.

On PostgreSQL each pooled connection is checked before use (``pool_pre_ping``), so a database
restart costs nothing but the turns that arrive while it is down; the server itself goes on.
A database error never carries the statement's parameters (the members' messages) into the
logs (``hide_parameters``). Rasa's fail-safe wrapper no longer hides such errors
(bot/extensions/fail_closed.py).
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any, Final

from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, Event, Restarted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import bindparam, create_engine, delete, func, insert, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql import Select

from bot import extensions
from bot.extensions.conversation_ids import key_conversations_by_channel
from kb.session import set_sqlite_pragmas

logger = logging.getLogger(__name__)

#: The action that erases a user's data (actions/privacy.py).
ERASE_ACTION = "action_delete_my_data"
#: Attribute set on a tracker this store returned or saved: how many of its events are stored.
STORED_EVENTS: Final = "_asmex_stored_events"


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
    conversations. In WAL mode a crash of the process loses nothing; a power cut may lose the
    last turns, never corrupt the file. Conversations stored before they were keyed by channel
    are renamed the first time (bot.extensions.conversation_ids).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        extensions.install()  # every Rasa server of this project builds this store
        super().__init__(*args, **kwargs)
        self._statements: dict[bool, Select] = {}
        engine: Engine = self.engine  # type: ignore[has-type]
        if engine.dialect.name == "sqlite":
            self._sqlite_pool_and_journal(engine)
        else:
            self._checked_connections(engine)
        key_conversations_by_channel(self.engine, self.SQLEvent.__table__)

    def _checked_connections(self, engine: Engine) -> None:
        """Rasa's engine (its pool settings), each connection checked before use."""
        engine.dispose()
        self.engine = create_engine(
            engine.url,
            pool_pre_ping=True,
            hide_parameters=True,
            **create_engine_kwargs(engine.url),
        )
        self.sessionmaker = sessionmaker(bind=self.engine)

    def _sqlite_pool_and_journal(self, engine: Engine) -> None:
        if engine.url.database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 opens a new connection to an SQLite file for every session
            # (NullPool) and runs the pragmas below on each: twice a message. A pool keeps them.
            engine.dispose()
            engine = create_engine(
                engine.url,
                poolclass=QueuePool,
                connect_args={"check_same_thread": False},
                hide_parameters=True,
            )
            self.engine = engine
            self.sessionmaker = sessionmaker(bind=engine)
        # WAL journal, commits without fsync, waiting (not failing) on a busy database.
        set_sqlite_pragmas(engine, "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000")

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's query (events since the latest session start, unless all sessions are asked
        for, ordered by id), reading only the ``data`` column, as rows."""
        statement = self._events_statement(fetch_events_from_all_sessions)
        with self.session_scope() as session:
            rows = session.execute(statement, {"sender_id": sender_id}).scalars().all()
        if not (self.domain and rows):
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(data) for data in rows], self.domain.slots
        )
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED_EVENTS, len(rows))
        return tracker

    def _events_statement(self, all_sessions: bool) -> Select:
        """Rasa's ``_event_query`` as one SQL statement, built once, the sender a parameter.

        Rasa builds an ORM query for every read; this statement is compiled once and kept."""
        cached = self._statements.get(all_sessions)
        if cached is not None:
            return cached
        events = self.SQLEvent.__table__
        sender = bindparam("sender_id")
        statement = select(events.c.data).where(events.c.sender_id == sender)
        if not all_sessions:  # events since the latest session start (all, if none)
            session_start = (
                select(func.max(events.c.timestamp))
                .where(events.c.sender_id == sender)
                .where(events.c.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            statement = statement.where(
                or_(events.c.timestamp >= session_start, session_start.is_(None))
            )
        statement = statement.order_by(events.c.id)
        self._statements[all_sessions] = statement
        return statement

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker; after an erasure, delete the stored conversation first."""
        kept = events_after_erasure(list(tracker.events))
        if kept is None:
            await self._append(tracker)
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
        await self._append(fresh)
        # The caller's tracker still holds the erased events: counted again if saved again.
        if hasattr(tracker, STORED_EVENTS):
            delattr(tracker, STORED_EVENTS)

    async def _append(self, tracker: DialogueStateTracker) -> None:
        """Insert the tracker's events that are not stored yet (SQLTrackerStore.save's rows)."""
        await self.stream_events(tracker)
        total = len(tracker.events)
        with self.session_scope() as session:
            stored = getattr(tracker, STORED_EVENTS, None)
            if not isinstance(stored, int) or not 0 <= stored <= total:
                stored = self._event_query(
                    session, tracker.sender_id, fetch_events_from_all_sessions=False
                ).count()
            rows = [
                self._row(tracker.sender_id, event)
                for event in itertools.islice(tracker.events, stored, total)
            ]
            if rows:
                session.execute(insert(self.SQLEvent), rows)
                session.commit()
        setattr(tracker, STORED_EVENTS, total)

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": ((data.get("parse_data") or {}).get("intent") or {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
