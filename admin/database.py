"""init-db and load-kb: the schema and the knowledge base (data/kb) in the database."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin.common import EXIT_INVALID, EXIT_OK, CommandError, open_database
from core import settings
from kb.files.kb_schema import KBError
from kb.files.loader import load_kb
from kb.migrate import head_revision
from kb.session import display_url


def cmd_init_db(args: argparse.Namespace, out: TextIO) -> int:
    """Upgrade the schema to head and load the knowledge base."""
    engine = open_database(args.database_url, migrate=True)
    out.write(f"database {display_url(args.database_url)} at revision {head_revision()}\n")
    return _load_kb(engine, args.kb_dir, out)


def cmd_load_kb(args: argparse.Namespace, out: TextIO) -> int:
    """Load the knowledge base into an initialised database."""
    return _load_kb(open_database(args.database_url), args.kb_dir, out)


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
