"""Admin command line for ASMEX staff: `python -m actions.admin --help`.

Exit codes: 0 success, 1 runtime failure (database unreachable, unknown event, no
conversations database where the endpoints file says), 2 invalid input (bad import file or
knowledge base, bad arguments, an endpoints file that cannot be read or expanded).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from admin.alerts import alert_new_events, cmd_notify_pending, cmd_release_claims
from admin.common import EXIT_FAILURE, CommandError, short_error
from admin.database import cmd_init_db, cmd_load_kb
from admin.events import cmd_export_events, cmd_import_events
from admin.learning import add_review_arguments, cmd_review_nlu
from admin.registrations import (
    REGISTRATION_COLUMNS,
    cmd_close_event,
    cmd_export_registrations,
    cmd_list_registrations,
)
from admin.retention import cmd_prune
from admin.staff import add_staff_commands
from core import settings
from kb.session import display_url

__all__ = ["REGISTRATION_COLUMNS", "alert_new_events", "build_parser", "main"]

Command = Callable[[argparse.Namespace, TextIO], int]
#: build_parser's ``add(name, command, help)``: a subcommand, returned to add its arguments.
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]


def _import_events(args: argparse.Namespace, out: TextIO) -> int:
    """import-events, then the alerts for the new events (this module's alert_new_events)."""
    return cmd_import_events(args, out, on_created=alert_new_events)


def _kb_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kb-dir", help="knowledge-base directory (default: data/kb)")


def _output_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", metavar="FILE", nargs="?", help="output file (default: standard output)"
    )


def _only_event(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--event", metavar="SLUG", help="only this event")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per admin task."""
    parser = argparse.ArgumentParser(
        prog="python -m actions.admin",
        description="ASMEX assistant administration: database, knowledge base, events, "
        "registrations, alerts and reminders, retention, the NLU review, staff console accounts.",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy database URL (default: $DATABASE_URL, else var/asmex.db)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Command, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    _kb_dir(
        add(
            "init-db",
            cmd_init_db,
            "Create or upgrade the schema, then load data/kb (safe to re-run).",
        )
    )
    _kb_dir(
        add(
            "load-kb",
            cmd_load_kb,
            "Load data/kb/*.yml into the database (validated first, idempotent).",
        )
    )
    _add_event_commands(add)
    _add_registration_commands(add)
    _add_alert_commands(add)
    _add_retention_commands(add)
    _add_learning_commands(add)
    add_staff_commands(add)
    return parser


def _add_event_commands(add: AddCommand) -> None:
    p = add(
        "import-events",
        _import_events,
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
    _output_file(p)
    p.add_argument(
        "--format", choices=("yaml", "csv"), help="default: from FILE's extension, else yaml"
    )


def _add_registration_commands(add: AddCommand) -> None:
    _only_event(add("list-registrations", cmd_list_registrations, "Show registrations as a table."))
    p = add(
        "export-registrations",
        cmd_export_registrations,
        "Export registrations as CSV (event, title, company, ICE, contact, email, phone, sector, "
        "status, created_at).",
    )
    _output_file(p)
    _only_event(p)

    p = add("close-event", cmd_close_event, "Close registrations for an event.")
    p.add_argument("slug", metavar="SLUG", help="the event's slug")


def _add_alert_commands(add: AddCommand) -> None:
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


def _add_retention_commands(add: AddCommand) -> None:
    p = add(
        "prune",
        cmd_prune,
        "Delete the conversation events (tracker store) and the inbound message records older "
        "than the retention period (RETENTION_DAYS, default 180); run it daily from cron.",
    )
    p.add_argument(
        "--older-than-days",
        type=int,
        metavar="N",
        help="delete what is older than N days (default: RETENTION_DAYS)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
    )
    p.add_argument(
        "--endpoints",
        metavar="FILE",
        help="the Rasa server's endpoints file, whose tracker_store holds the conversations "
        "(default: endpoints.yml; e.g. endpoints.production.yml)",
    )


def _add_learning_commands(add: AddCommand) -> None:
    add_review_arguments(
        add(
            "review-nlu",
            cmd_review_nlu,
            "Write the messages the assistant did not understand, or was unsure about, grouped "
            "and masked, as a review file in Rasa's NLU format, outside the repository.",
        )
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run one admin command; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    args.stdin = stdin or sys.stdin
    args.database_url = args.database_url or settings.database_url()
    try:
        return int(args.func(args, out))
    except CommandError as exc:
        err.write(f"error: {exc}\n")
        return exc.code
    except SQLAlchemyError as exc:
        err.write(f"error: database {display_url(args.database_url)}: {short_error(exc)}\n")
        return EXIT_FAILURE
    except settings.SettingsError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
