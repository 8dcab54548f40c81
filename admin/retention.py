"""prune: conversation events and inbound message records older than the retention period.

The conversations are where the Rasa server keeps them: the ``tracker_store`` section of its
endpoints file (endpoints.yml by default, ``--endpoints`` for another), its ``${...}`` values
expanded from the environment by Rasa's own reader, as ``rasa run`` does; a relative SQLite
path is taken from the project's directory, where the servers run.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import yaml
from sqlalchemy import inspect
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from admin.common import EXIT_INVALID, EXIT_OK, CommandError, open_database, short_error
from core import settings
from kb import retention
from kb.session import display_url, make_engine

#: Tracker store types whose conversations are in an SQL database (endpoints.yml's ``type``).
SQL_TRACKER_STORES = frozenset(
    {
        "sql",
        "SQLTrackerStore",
        "rasa.core.tracker_store.SQLTrackerStore",
        "bot.extensions.tracker_store.ErasingSQLTrackerStore",
        "bot.tracker_store.ErasingSQLTrackerStore",
    }
)
#: Where the servers run: relative paths of the endpoints files are taken from there.
ROOT = settings.PROJECT_ROOT
DEFAULT_ENDPOINTS = ROOT / "endpoints.yml"


def _invalid(path: Path, problem: str) -> CommandError:
    return CommandError(f"{path}: {problem}", EXIT_INVALID)


def _tracker_section(path: Path) -> dict[str, Any] | None:
    """The endpoints file's tracker_store section, its ``${...}`` values expanded by Rasa."""
    # Rasa is imported by this command only: the other commands start without it.
    from rasa.shared.exceptions import RasaException
    from rasa.shared.utils.io import read_yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _invalid(path, f"cannot read the endpoints file: {short_error(exc)}") from exc
    if not isinstance(document, dict):
        raise _invalid(path, "not an endpoints file (a mapping of sections)")
    section = document.get("tracker_store")
    if section is None:
        return None
    try:  # only this section: the other sections' settings are the servers' business
        expanded = read_yaml(yaml.safe_dump({"tracker_store": section}))["tracker_store"]
    except RasaException as exc:
        raise _invalid(path, f"tracker_store: {exc}") from exc
    if not isinstance(expanded, dict):
        raise _invalid(path, "tracker_store must be a mapping")
    return expanded


def tracker_store_url(path: Path) -> URL | None:
    """The SQLAlchemy URL of the tracker store the endpoints file at ``path`` configures,
    built as Rasa's SQLTrackerStore.get_db_url builds it; None when conversations are kept
    in memory only (no tracker_store section, an SQLite database without a file)."""
    section = _tracker_section(path)
    if section is None:
        return None
    kind = str(section.get("type") or "")
    if kind not in SQL_TRACKER_STORES:
        raise _invalid(path, f"tracker_store type {kind or '(none)'!r} is not an SQL store")
    dialect = str(section.get("dialect") or "sqlite")
    db = section.get("db", "rasa.db")
    host, port = section.get("url"), section.get("port")
    if host and "://" in str(host):
        return make_url(str(host))
    if dialect.startswith("sqlite"):
        if not db or db == ":memory:":
            return None
        file = Path(str(db))
        return URL.create(dialect, database=str(file if file.is_absolute() else ROOT / file))
    if host:  # a host may carry its port, as Rasa accepts
        parsed = urlsplit(f"scheme://{host}")
        host, port = parsed.hostname or host, parsed.port or port
    return URL.create(
        dialect,
        username=section.get("username"),
        password=section.get("password"),
        host=str(host) if host else None,
        port=int(port) if port else None,
        database=str(db),
        query=section.get("query") or {},
    )


def _open_tracker(url: URL) -> Engine:
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and not Path(database).is_file():
        raise CommandError(f"no conversations database at {database} (is the path right?)")
    return make_engine(url.render_as_string(hide_password=False))


def _prune_tracker(url: URL, before: datetime, dry_run: bool) -> int | None:
    """Events deleted (or to delete, for a dry run); None when no events table exists yet."""
    engine = _open_tracker(url)
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
