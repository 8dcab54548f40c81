"""import-events and export-events: the events in the database, from and to files."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin.common import (
    EXIT_INVALID,
    EXIT_OK,
    CommandError,
    open_database,
    write_export,
)
from core import clock
from kb.events import get_event_by_slug, upsert_events
from kb.files.event_formats import dump_csv, dump_yaml, read_events_file
from kb.files.event_schema import EventFileError
from kb.models import Event
from kb.sources import source_ids

#: What import-events calls with the slugs of the events it created (admin.alerts.alert_new_events).
NewEventsHook = Callable[[Engine, Sequence[str], TextIO], None]


def cmd_import_events(args: argparse.Namespace, out: TextIO, *, on_created: NewEventsHook) -> int:
    """Validate a whole event file, then upsert every event by slug.

    Once the events it created are committed, ``on_created`` sends their alerts (unless
    ``--dry-run`` or ``--no-notify``).
    """
    path = Path(args.file)
    try:
        events = read_events_file(path, fmt=args.format)
    except EventFileError as exc:
        raise CommandError(_problems(path, exc), EXIT_INVALID) from exc
    engine = open_database(args.database_url)
    with Session(engine) as session:
        if any(e.source_id for e in events):
            try:  # second pass, now that the database tells which source ids exist
                events = read_events_file(path, fmt=args.format, known_sources=source_ids(session))
            except EventFileError as exc:
                raise CommandError(_problems(path, exc), EXIT_INVALID) from exc
        done = upsert_events(session, events=events)
        if args.dry_run:
            session.rollback()
        else:
            session.commit()
    prefix = "dry run, nothing written: would be " if args.dry_run else ""
    out.write(
        f"{prefix}{len(done.created)} created, {len(done.updated)} updated, "
        f"{len(done.unchanged)} unchanged\n"
    )
    if done.created and not args.dry_run and not args.no_notify:
        on_created(engine, done.created, out)
    return EXIT_OK


def _problems(path: Path, exc: EventFileError) -> str:
    return "\n".join([f"{path}: not imported, nothing written"] + [str(p) for p in exc.problems])


def cmd_export_events(args: argparse.Namespace, out: TextIO) -> int:
    """Write every event in the import format."""
    engine = open_database(args.database_url)
    today = clock.today()
    with Session(engine) as session:
        slugs = list(session.scalars(select(Event.slug).order_by(Event.start_date, Event.slug)))
        events = [get_event_by_slug(session, slug=s, today=today) for s in slugs]
    inputs = [e.as_input() for e in events if e is not None]
    fmt = _export_format(args.format, args.file)
    text = dump_csv(inputs) if fmt == "csv" else dump_yaml(inputs)
    write_export(text, args.file, out, written=f"{len(inputs)} events", bom=fmt == "csv")
    return EXIT_OK


def _export_format(fmt: str | None, file: str | None) -> str:
    if fmt:
        return fmt
    if file and Path(file).suffix.lower() == ".csv":
        return "csv"
    return "yaml"
