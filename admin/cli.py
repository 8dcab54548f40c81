"""Admin command line for ASMEX staff: `python -m actions.admin --help`.

Exit codes: 0 success, 1 runtime failure (database unreachable, unknown event),
2 invalid input (bad import file or knowledge base, bad arguments).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core import clock, settings
from kb import notifications
from kb import repositories as repo
from kb.events_io import EventFileError, dump_csv, dump_yaml, read_events_file
from kb.loader import KBError, load_kb
from kb.migrate import current_revision, head_revision, upgrade_to_head
from kb.models import Event, Source, utcnow
from kb.session import display_url, make_engine

EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2

REGISTRATION_COLUMNS = (
    "event_slug",
    "event_title",
    "company_name",
    "ice",
    "contact_name",
    "email",
    "phone",
    "sector",
    "status",
    "created_at",
)


class CommandError(Exception):
    """A failure to report in one line; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


def alert_new_events(engine: Engine, slugs: Sequence[str], out: TextIO) -> None:
    """After an import committed: send the alerts for the events it created, or say they wait.

    Alerts not sent here (no channel configured, a user's channel without a notifier, a
    settings error) stay due: notify-pending sends them later.
    """
    from outbound import notify  # lazily: the action server imports this module too

    try:
        dues = notify.due_notifications(
            engine, today=clock.today(), event_slugs=slugs, reminders=False
        )
        if not dues:
            return
        notifiers = notify.notifiers_from_environment()
    except (SQLAlchemyError, settings.SettingsError) as exc:
        out.write(f"alerts not sent ({_short(exc)}): run notify-pending\n")
        return
    if not notifiers:
        out.write(
            f"{len(dues)} alerts pending, no channel configured: run notify-pending once one is\n"
        )
        return
    summary = asyncio.run(notify.send_due(engine, dues, notifiers))
    out.writelines(f"alerts: {line}\n" for line in summary.lines())


# --- helpers ---------------------------------------------------------------------------------


def _open_database(url: str, *, migrate: bool = False) -> Engine:
    """An engine on a reachable database at the current schema (upgraded when ``migrate``)."""
    try:
        if migrate:
            upgrade_to_head(url)
        engine = make_engine(url)
        revision = current_revision(engine)
    except (SQLAlchemyError, OSError, ImportError) as exc:
        raise CommandError(f"cannot open database {display_url(url)}: {_short(exc)}") from exc
    if revision != head_revision():
        engine.dispose()
        raise CommandError(
            f"database {display_url(url)} is not initialised or not up to date "
            "(run: python -m actions.admin init-db)"
        )
    return engine


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _known_sources(session: Session) -> set[str]:
    return set(session.scalars(select(Source.id)))


def _write_text(text: str, file: str | None, out: TextIO, *, bom: bool = False) -> None:
    if file is None:
        out.write(text)
        return
    try:
        Path(file).write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"cannot write {file}: {exc.strerror or exc}") from exc


def _export_format(fmt: str | None, file: str | None) -> str:
    if fmt:
        return fmt
    if file and Path(file).suffix.lower() == ".csv":
        return "csv"
    return "yaml"


def _safe_cell(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula (data typed by users)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- commands --------------------------------------------------------------------------------


def cmd_init_db(args: argparse.Namespace, out: TextIO) -> int:
    """Upgrade the schema to head and load the knowledge base."""
    engine = _open_database(args.database_url, migrate=True)
    out.write(f"database {display_url(args.database_url)} at revision {head_revision()}\n")
    return _load_kb(engine, args.kb_dir, out)


def cmd_load_kb(args: argparse.Namespace, out: TextIO) -> int:
    """Load the knowledge base into an initialised database."""
    return _load_kb(_open_database(args.database_url), args.kb_dir, out)


def _load_kb(engine: Engine, kb_dir: str | None, out: TextIO) -> int:
    directory = Path(kb_dir) if kb_dir else settings.KB_DIR
    with Session(engine) as session, session.begin():
        try:
            report = load_kb(session, kb_dir=directory)
        except KBError as exc:
            raise CommandError(
                f"knowledge base {directory} not loaded:\n" + "\n".join(exc.problems), EXIT_INVALID
            ) from exc
    if report.tables:
        out.write(report.summary() + "\n")
    else:
        out.write(f"knowledge base {directory}: no files to load\n")
    if not report.aliases_from_gazetteer:
        out.write(
            "note: nlu.vocabulary.gazetteer unavailable, market and city aliases left empty\n"
        )
    return EXIT_OK


def cmd_import_events(args: argparse.Namespace, out: TextIO) -> int:
    """Validate a whole event file, then upsert every event by slug."""
    path = Path(args.file)
    try:
        events = read_events_file(path, fmt=args.format)
    except EventFileError as exc:
        raise CommandError(_problems(path, exc), EXIT_INVALID) from exc
    engine = _open_database(args.database_url)
    with Session(engine) as session:
        if any(e.source_id for e in events):
            try:  # second pass, now that the database tells which source ids exist
                events = read_events_file(
                    path, fmt=args.format, known_sources=_known_sources(session)
                )
            except EventFileError as exc:
                raise CommandError(_problems(path, exc), EXIT_INVALID) from exc
        results = [repo.upsert_event(session, event=e) for e in events]
        created = [r.slug for r in results if r.action == "created"]
        if args.dry_run:
            session.rollback()
        else:
            session.commit()
    counts = Counter(r.action for r in results)
    prefix = "dry run, nothing written: would be " if args.dry_run else ""
    out.write(
        f"{prefix}{counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged\n"
    )
    if created and not args.dry_run and not args.no_notify:
        alert_new_events(engine, created, out)
    return EXIT_OK


def _problems(path: Path, exc: EventFileError) -> str:
    return "\n".join([f"{path}: not imported, nothing written"] + [str(p) for p in exc.problems])


def cmd_export_events(args: argparse.Namespace, out: TextIO) -> int:
    """Write every event in the import format."""
    engine = _open_database(args.database_url)
    today = clock.today()
    with Session(engine) as session:
        slugs = list(session.scalars(select(Event.slug).order_by(Event.start_date, Event.slug)))
        events = [repo.get_event_by_slug(session, slug=s, today=today) for s in slugs]
    inputs = [e.as_input() for e in events if e is not None]
    fmt = _export_format(args.format, args.file)
    text = dump_csv(inputs) if fmt == "csv" else dump_yaml(inputs)
    _write_text(text, args.file, out, bom=fmt == "csv")
    if args.file:
        out.write(f"{len(inputs)} events written to {args.file}\n")
    return EXIT_OK


def _registrations(args: argparse.Namespace) -> list[repo.RegistrationView]:
    engine = _open_database(args.database_url)
    with Session(engine) as session:
        if (
            args.event
            and repo.get_event_by_slug(session, slug=args.event, today=clock.today()) is None
        ):
            raise CommandError(f"no event with slug '{args.event}'")
        return repo.list_all_registrations(session, event_slug=args.event)


def cmd_list_registrations(args: argparse.Namespace, out: TextIO) -> int:
    """Print registrations as a table."""
    rows = _registrations(args)
    if not rows:
        out.write("no registrations\n")
        return EXIT_OK
    header = ("event", "company", "ICE", "contact", "email", "phone", "status", "created")
    table = [
        (
            r.event_slug,
            r.company_name,
            r.ice or "",
            r.contact_name or "",
            r.email or "",
            r.phone or "",
            r.status,
            r.created_at.strftime("%Y-%m-%d %H:%M") if r.created_at else "",
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *table]:
        out.write(
            "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )
    out.write(f"{len(rows)} registrations\n")
    return EXIT_OK


def cmd_export_registrations(args: argparse.Namespace, out: TextIO) -> int:
    """Write registrations as CSV for ASMEX staff."""
    rows = _registrations(args)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REGISTRATION_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.event_slug,
                r.event_title.fr,
                _safe_cell(r.company_name),
                _safe_cell(r.ice),
                _safe_cell(r.contact_name),
                _safe_cell(r.email),
                _safe_cell(r.phone),
                r.sector or "",
                r.status,
                r.created_at.isoformat(timespec="seconds") if r.created_at else "",
            ]
        )
    _write_text(buffer.getvalue(), args.file, out, bom=True)
    if args.file:
        out.write(f"{len(rows)} registrations written to {args.file}\n")
    return EXIT_OK


def cmd_close_event(args: argparse.Namespace, out: TextIO) -> int:
    """Close registrations for one event."""
    engine = _open_database(args.database_url)
    with Session(engine) as session, session.begin():
        before = repo.get_event_by_slug(session, slug=args.slug, today=clock.today())
        if before is None:
            raise CommandError(f"no event with slug '{args.slug}'")
        repo.close_event(session, slug=args.slug, today=clock.today())
    word = "was already closed" if before.status == "closed" else "closed"
    out.write(f"event {args.slug} {word}\n")
    return EXIT_OK


def cmd_notify_pending(args: argparse.Namespace, out: TextIO) -> int:
    """Send the alerts and reminders that are due, or list them (--dry-run)."""
    from outbound import notify  # lazily: the action server imports this module too

    engine = _open_database(args.database_url)
    with Session(engine) as session:
        stuck = notifications.list_claimed(session)
    dues = notify.due_notifications(engine, today=clock.today(), retry_failed=args.retry_failed)
    notifiers = notify.notifiers_from_environment()
    if args.dry_run:
        asyncio.run(notify.close_all(notifiers))
        _write_plan(dues, notifiers, out)
    else:
        summary = asyncio.run(
            notify.send_due(engine, dues, notifiers, retry_failed=args.retry_failed)
        )
        out.writelines(f"{line}\n" for line in summary.lines())
    if stuck:
        out.write(
            f"{len(stuck)} notifications claimed by an earlier run were never confirmed "
            "(interrupted, or still running): not sent again. Check them, then "
            "release-claims and notify-pending --retry-failed to send them.\n"
        )
        out.writelines(
            f"  claimed {c.kind} user {c.user_id} event {c.event_slug} at "
            f"{c.claimed_at:%Y-%m-%d %H:%M}\n"
            for c in stuck
        )
    return EXIT_OK


def _write_plan(
    dues: Sequence[notifications.DueNotification], notifiers: Mapping[str, object], out: TextIO
) -> None:
    for due in dues:
        verb = "would send" if due.channel in notifiers else "would skip"
        note = "" if due.channel in notifiers else f" (no notifier for {due.channel})"
        retry = " (retry of a failed one)" if due.previous_status == "failed" else ""
        out.write(
            f"{verb:<10}  {due.kind:<11}  {due.channel:<12}  user {due.user_id:<6}  "
            f"{due.language}  {due.event.slug} in {due.days_left} days{retry}{note}\n"
        )
    sending = sum(1 for d in dues if d.channel in notifiers)
    out.write(
        f"dry run, nothing sent: {sending} would be sent, {len(dues) - sending} skipped "
        "(no notifier configured)\n"
    )


def cmd_release_claims(args: argparse.Namespace, out: TextIO) -> int:
    """Turn notifications left 'claimed' by an interrupted run into 'failed' ones."""
    engine = _open_database(args.database_url)
    before = utcnow() - timedelta(minutes=args.older_than)
    with Session(engine) as session, session.begin():
        claimed = notifications.list_claimed(session, claimed_before=before)
        released = notifications.release_claims(session, claimed_before=before)
    out.writelines(f"released {c.kind} user {c.user_id} event {c.event_slug}\n" for c in claimed)
    out.write(f"{released} claims released: notify-pending --retry-failed sends them again\n")
    return EXIT_OK


# --- parser ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per admin task."""
    parser = argparse.ArgumentParser(
        prog="python -m actions.admin",
        description="ASMEX assistant administration: database, knowledge base, events, "
        "registrations, alerts and reminders.",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy database URL (default: $DATABASE_URL, else var/asmex.db)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace, TextIO], int], help_: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    p = add(
        "init-db", cmd_init_db, "Create or upgrade the schema, then load data/kb (safe to re-run)."
    )
    p.add_argument("--kb-dir", help="knowledge-base directory (default: data/kb)")
    p = add(
        "load-kb",
        cmd_load_kb,
        "Load data/kb/*.yml into the database (validated first, idempotent).",
    )
    p.add_argument("--kb-dir", help="knowledge-base directory (default: data/kb)")

    p = add(
        "import-events",
        cmd_import_events,
        "Import events from a YAML or CSV file: the whole file is checked first, "
        "nothing is written if any row is wrong; events are matched by slug.",
    )
    p.add_argument("file", metavar="FILE", help="a .yml/.yaml or .csv file (UTF-8, at most 5 MB)")
    p.add_argument(
        "--format", choices=("yaml", "csv"), help="file format (default: from the extension)"
    )
    p.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    p.add_argument(
        "--no-notify",
        action="store_true",
        help="do not send the alerts for the new events now (notify-pending sends them later)",
    )

    p = add("export-events", cmd_export_events, "Export every event in the import format.")
    p.add_argument("file", metavar="FILE", nargs="?", help="output file (default: standard output)")
    p.add_argument(
        "--format", choices=("yaml", "csv"), help="default: from FILE's extension, else yaml"
    )

    p = add("list-registrations", cmd_list_registrations, "Show registrations as a table.")
    p.add_argument("--event", metavar="SLUG", help="only this event")
    p = add(
        "export-registrations",
        cmd_export_registrations,
        "Export registrations as CSV (event, title, company, ICE, contact, email, phone, sector, "
        "status, created_at).",
    )
    p.add_argument("file", metavar="FILE", nargs="?", help="output file (default: standard output)")
    p.add_argument("--event", metavar="SLUG", help="only this event")

    p = add("close-event", cmd_close_event, "Close registrations for an event.")
    p.add_argument("slug", metavar="SLUG", help="the event's slug")

    p = add(
        "notify-pending",
        cmd_notify_pending,
        "Send the alerts on new events and the reminders (7 days, 1 day) that are due, each "
        "at most once, through the configured channels; run it daily from cron.",
    )
    p.add_argument("--dry-run", action="store_true", help="list what would be sent, send nothing")
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="also send again the notifications that failed earlier (if still due)",
    )
    p = add(
        "release-claims",
        cmd_release_claims,
        "Mark notifications left 'claimed' by an interrupted notify-pending as failed, so "
        "notify-pending --retry-failed sends them again. Check first that they did not go out.",
    )
    p.add_argument(
        "--older-than",
        type=int,
        default=60,
        metavar="MINUTES",
        help="only claims older than this (default: 60), so a running notify-pending keeps its own",
    )
    return parser


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run one admin command; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    args.database_url = args.database_url or settings.database_url()
    try:
        return int(args.func(args, out))
    except CommandError as exc:
        err.write(f"error: {exc}\n")
        return exc.code
    except SQLAlchemyError as exc:
        err.write(f"error: database {display_url(args.database_url)}: {_short(exc)}\n")
        return EXIT_FAILURE
    except settings.SettingsError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
