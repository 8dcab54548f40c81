"""Button payloads stored under a short key (``callback_payloads``), for platforms whose button
data is too small for them. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kb.models import CallbackPayload


def save_payloads(session: Session, *, payloads: Mapping[str, str]) -> None:
    """Store each payload under its key; a key already stored keeps its payload."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for key, payload in payloads.items():
        session.execute(
            insert(CallbackPayload)
            .values(key=key, payload=payload)
            .on_conflict_do_nothing(index_elements=["key"])
        )


def find_payload(session: Session, *, key: str) -> str | None:
    """The payload stored under ``key``, or None."""
    payload = session.scalars(
        select(CallbackPayload.payload).where(CallbackPayload.key == key)
    ).one_or_none()
    return None if payload is None else str(payload)
