"""A tracker store database as Rasa's SQLTrackerStore writes it (its own table), filled with
user messages, actions and restarts shaped like the events the servers store."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Engine


def tracker_engine(path: Path) -> Engine:
    """An SQLite tracker store at ``path`` with Rasa's ``events`` table (and its index)."""
    from rasa.core.tracker_store import SQLTrackerStore

    engine = create_engine(f"sqlite:///{path}")
    SQLTrackerStore.Base.metadata.create_all(engine)
    return engine


def user(
    text: str,
    *,
    at: float,
    intent: str,
    confidence: float,
    language: str,
    ranking: list[tuple[str, float]] | None = None,
    channel: str = "telegram",
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``user`` event's data, with parse_data as the project's NLU writes it."""
    ranked = ranking or [(intent, confidence)]
    return {
        "event": "user",
        "timestamp": at,
        "metadata": {"model_id": "m", **(metadata or {})},
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "text": text,
            "language": language,
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranked],
        },
        "input_channel": channel,
    }


def action(name: str, *, at: float) -> dict[str, Any]:
    return {"event": "action", "timestamp": at, "name": name}


def restart(*, at: float) -> dict[str, Any]:
    return {"event": "restart", "timestamp": at}


@dataclass
class Conversations:
    """Rows to insert, conversation by conversation, in order (ids grow as Rasa's do)."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, sender_id: str, *events: dict[str, Any]) -> Conversations:
        for data in events:
            parse = data.get("parse_data") or {}
            self.rows.append(
                {
                    "sender_id": sender_id,
                    "type_name": data["event"],
                    "timestamp": data["timestamp"],
                    "intent_name": (parse.get("intent") or {}).get("name"),
                    "action_name": data.get("name"),
                    "data": json.dumps(data, ensure_ascii=False),
                }
            )
        return self

    def store(self, engine: Engine) -> None:
        from rasa.core.tracker_store import SQLTrackerStore

        table = SQLTrackerStore.SQLEvent.__table__
        with engine.begin() as connection:
            if self.rows:
                connection.execute(insert(table), self.rows)
