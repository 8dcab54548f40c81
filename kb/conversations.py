"""What members wrote, read back from Rasa's SQL tracker store (read-only), for the learning
loop and the analytics: each user message with its channel, day, intents and language.

The tracker store's ``events`` table (rasa.core.tracker_store.SQLTrackerStore) holds one row
per event, its JSON in ``data``; only the ``user`` rows are read, with their ``parse_data``.

Left out, whatever the caller:
- every message of a conversation whose member erased their data. The store
  (bot.extensions.tracker_store.ErasingSQLTrackerStore) deletes the events before the erasure
  and keeps the conversation from its ``restart`` on; a conversation whose first stored event
  is a ``restart``, or that holds the erasing action (an erasure whose save failed), is that
  member's, and none of it is read. Retention (``prune``) may delete that first ``restart``
  with the rest of the old events: the messages written after the erasure are then read;
- nothing else is hidden here, but each message says whether a person handled it during a
  handoff (its metadata carries ``HANDLED_BY_PERSON``): those never enter the learning loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import JSON, and_, cast, column, func, select, table, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.sql import TableClause

#: Rasa's tracker store table, the columns read here.
EVENTS: Final[TableClause] = table(
    "events",
    column("id"),
    column("sender_id"),
    column("type_name"),
    column("timestamp"),
    column("intent_name"),
    column("action_name"),
    column("data"),
)
#: The action that erases a member's data (actions/privacy.py, bot.extensions.tracker_store).
ERASE_ACTION: Final = "action_delete_my_data"
#: Metadata key of a user message a staff member handled during a handoff (true when so).
HANDLED_BY_PERSON: Final = "handled_by_person"
#: How many intents of the ranking each message keeps.
RANKING: Final = 3


@dataclass(frozen=True)
class UserMessage:
    """One message a member wrote, as the NLU read it."""

    sender_id: str
    channel: str
    #: Seconds since the epoch (UTC), as Rasa stores it.
    timestamp: float
    text: str
    intent: str | None
    confidence: float | None
    #: The first RANKING intents of the ranking, with their confidence.
    ranking: tuple[tuple[str, float], ...]
    #: The variety the language identifier gave (fr, ar, ary, en), or None.
    language: str | None
    #: True when a person at ASMEX handled it during a handoff.
    by_person: bool

    @property
    def is_payload(self) -> bool:
        """A button's payload (``/intent{...}``), not words the NLU read."""
        return self.text.startswith("/")


def erased_conversations(connection: Connection) -> set[str]:
    """The conversations (sender ids) of members who erased their data."""
    events = EVENTS
    with_erase = select(events.c.sender_id).where(
        events.c.type_name == "action", events.c.action_name == ERASE_ACTION
    )
    first = (
        select(events.c.sender_id.label("sender"), func.min(events.c.id).label("first_id"))
        .group_by(events.c.sender_id)
        .subquery()
    )
    starting_with_restart = select(first.c.sender).join(
        events, and_(events.c.id == first.c.first_id, events.c.type_name == "restart")
    )
    erased = set(connection.scalars(with_erase))
    erased.update(connection.scalars(starting_with_restart))
    return erased


def _fields(connection: Connection) -> list[Any]:
    """What is read of each user event: the JSON fields, extracted by the database (a whole
    event's JSON, with its ranking and tokens, is not parsed in Python)."""
    data = EVENTS.c.data
    document = type_coerce(data, JSON) if connection.dialect.name == "sqlite" else cast(data, JSON)
    fields = [
        document[("text",)].as_string(),
        document[("input_channel",)].as_string(),
        document[("parse_data", "intent", "name")].as_string(),
        document[("parse_data", "intent", "confidence")].as_float(),
        document[("parse_data", "language")].as_string(),
        document[("metadata", HANDLED_BY_PERSON)].as_string(),
    ]
    for rank in range(RANKING):
        fields.append(document[("parse_data", "intent_ranking", rank, "name")].as_string())
        fields.append(document[("parse_data", "intent_ranking", rank, "confidence")].as_float())
    return fields


def user_messages(
    connection: Connection, *, since: float, until: float | None = None
) -> Iterator[UserMessage]:
    """The members' messages stored from ``since`` (and before ``until``), oldest first, but
    those of members who erased their data."""
    erased = erased_conversations(connection)
    events = EVENTS
    query = select(events.c.sender_id, events.c.timestamp, *_fields(connection)).where(
        events.c.type_name == "user", events.c.timestamp >= since
    )
    if until is not None:
        query = query.where(events.c.timestamp < until)
    for row in connection.execute(query.order_by(events.c.id)):
        if row[0] not in erased:
            message = _message(*row)
            if message is not None:
                yield message


def _message(
    sender_id: str,
    timestamp: float | None,
    text: str | None,
    channel: str | None,
    intent: str | None,
    confidence: float | None,
    language: str | None,
    by_person: object,
    *ranked: Any,
) -> UserMessage | None:
    if not isinstance(text, str) or not text.strip():
        return None
    if not isinstance(channel, str) or not channel:
        channel = sender_id.split(":", 1)[0] if ":" in sender_id else "unknown"
    ranking = tuple(
        (str(name), float(score))
        for name, score in zip(ranked[::2], ranked[1::2], strict=True)
        if isinstance(name, str) and isinstance(score, (int, float))
    )
    return UserMessage(
        sender_id=sender_id,
        channel=channel,
        timestamp=float(timestamp or 0.0),
        text=text,
        intent=intent if isinstance(intent, str) else None,
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        ranking=ranking,
        language=language if isinstance(language, str) and language else None,
        by_person=str(by_person).lower() in ("1", "true"),
    )
