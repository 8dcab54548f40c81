"""prune: conversation events and inbound message records older than the retention period.

The conversations are where the Rasa server keeps them: the ``tracker_store`` section of its
endpoints file (endpoints.yml by default, ``--endpoints`` for another), read by
kb.conversation_store.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO

from sqlalchemy import inspect
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from admin.common import EXIT_INVALID, EXIT_OK, CommandError, open_database, short_error
from core import settings
from kb import conversation_store, retention
from kb.session import display_url, make_engine

DEFAULT_ENDPOINTS = conversation_store.DEFAULT_ENDPOINTS


def tracker_store_url(path: Path) -> URL | None:
    """The URL of the tracker store the endpoints file at ``path`` configures (None: kept in
    memory only); an endpoints file that cannot be read is invalid input (exit code 2)."""
    try:
        return conversation_store.tracker_store_url(path)
    except conversation_store.EndpointsError as exc:
        raise CommandError(str(exc), EXIT_INVALID) from exc


def open_tracker(url: URL) -> Engine:
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and not Path(database).is_file():
        raise CommandError(f"no conversations database at {database} (is the path right?)")
    return make_engine(url.render_as_string(hide_password=False))


def _prune_tracker(url: URL, before: datetime, dry_run: bool) -> int | None:
    """Events deleted (or to delete, for a dry run); None when no events table exists yet."""
    engine = open_tracker(url)
    try:
        if not inspect(engine).has_table(retention.TRACKER_EVENTS.name):
            return None
        if dry_run:
            with engine.connect() as connection:
                return retention.count_conversation_events(connection, before=before)
        total = 0
        while True:
            with engine.begin() as connection:
                deleted = retention.prune_conversation_events(
                    connection, before=before, limit=retention.BATCH
                )
            total += deleted
            if deleted < retention.BATCH:
                return total
    except SQLAlchemyError as exc:
        raise CommandError(
            f"conversations database {display_url(str(url))}: {short_error(exc)}"
        ) from exc
    finally:
        engine.dispose()


def _prune_records(engine: Engine, before: datetime, dry_run: bool) -> int:
    """Inbound message records (with their stored replies) deleted, or to delete."""
    if dry_run:
        with Session(engine) as session:
            return sum(retention.count_message_records(session, before=before).values())
    total = 0
    while True:
        with Session(engine) as session, session.begin():
            deleted = retention.prune_message_records(session, before=before, limit=retention.BATCH)
        records = sum(deleted[name] for name in retention.MESSAGE_RECORDS)
        total += records
        if records < retention.BATCH:
            return total


def cmd_prune(args: argparse.Namespace, out: TextIO) -> int:
    """Delete the conversation events and inbound message records older than the retention
    period (RETENTION_DAYS, or ``--older-than-days``)."""
    days = args.older_than_days
    if days is None:
        days = settings.current().retention_days
    if days <= 0:
        raise CommandError("--older-than-days must be a positive number of days", EXIT_INVALID)
    before = datetime.now(timezone.utc) - timedelta(days=days)
    endpoints = Path(args.endpoints) if args.endpoints else DEFAULT_ENDPOINTS
    tracker_url = tracker_store_url(endpoints)
    engine = open_database(args.database_url)
    verb = "would be deleted" if args.dry_run else "deleted"
    prefix = "dry run, nothing deleted: " if args.dry_run else ""
    out.write(f"{prefix}older than {days} days: before {before:%Y-%m-%d %H:%M} UTC\n")
    try:
        records = _prune_records(engine, before, args.dry_run)
    finally:
        engine.dispose()
    out.write(f"inbound message records: {records} {verb}\n")
    if tracker_url is None:
        out.write(f"conversation events: none stored ({endpoints.name} keeps them in memory)\n")
        return EXIT_OK
    events = _prune_tracker(tracker_url, before, args.dry_run)
    where = display_url(str(tracker_url))
    if events is None:
        out.write(f"conversation events: none stored yet in {where}\n")
    else:
        out.write(f"conversation events: {events} {verb} in {where}\n")
    return EXIT_OK
