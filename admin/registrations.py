"""list-registrations, export-registrations and close-event: the members' registrations."""

from __future__ import annotations

import argparse
from typing import TextIO

from sqlalchemy.orm import Session

from admin.common import EXIT_OK, find_event, open_database, write_export
from core import clock
from kb.events import close_event
from kb.files.registration_csv import REGISTRATION_COLUMNS, registrations_csv
from kb.registrations import list_all_registrations
from kb.views import RegistrationView

__all__ = [
    "REGISTRATION_COLUMNS",
    "cmd_close_event",
    "cmd_export_registrations",
    "cmd_list_registrations",
]


def _registrations(args: argparse.Namespace) -> list[RegistrationView]:
    engine = open_database(args.database_url)
    with Session(engine) as session:
        if args.event:
            find_event(session, args.event)
        return list_all_registrations(session, event_slug=args.event)


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
    """Write registrations as CSV for ASMEX staff, every cell escaped so that spreadsheets
    never run it as a formula (kb.files.registration_csv, shared with the console)."""
    rows = _registrations(args)
    written = f"{len(rows)} registrations"
    write_export(registrations_csv(rows), args.file, out, written=written, bom=True)
    return EXIT_OK


def cmd_close_event(args: argparse.Namespace, out: TextIO) -> int:
    """Close registrations for one event."""
    engine = open_database(args.database_url)
    with Session(engine) as session, session.begin():
        before = find_event(session, args.slug)
        close_event(session, slug=args.slug, today=clock.today())
    word = "was already closed" if before.status == "closed" else "closed"
    out.write(f"event {args.slug} {word}\n")
    return EXIT_OK
