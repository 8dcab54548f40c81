"""What every admin command shares: exit codes, one-line errors, the database, output files."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core import clock
from kb.events import get_event_by_slug
from kb.migrate import current_revision, head_revision, upgrade_to_head
from kb.session import display_url, make_engine
from kb.views import EventView

EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2


class CommandError(Exception):
    """A failure to report in one line; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


def short_error(exc: BaseException) -> str:
    """The first line of an error's message (the driver's own, for a database error)."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_database(url: str, *, migrate: bool = False, create: bool = False) -> Engine:
    """An engine on a reachable database at the current schema (upgraded when ``migrate``;
    created when ``create`` and the database has no schema yet)."""
    try:
        if migrate:
            upgrade_to_head(url)
        engine = make_engine(url)
        revision = current_revision(engine)
        if create and revision is None:
            upgrade_to_head(url)
            revision = current_revision(engine)
    except (SQLAlchemyError, OSError, ImportError) as exc:
        raise CommandError(f"cannot open database {display_url(url)}: {short_error(exc)}") from exc
    if revision != head_revision():
        engine.dispose()
        raise CommandError(
            f"database {display_url(url)} is not initialised or not up to date "
            "(run: python -m actions.admin init-db)"
        )
    return engine


def find_event(session: Session, slug: str) -> EventView:
    """The event with this slug; a CommandError when there is none."""
    event = get_event_by_slug(session, slug=slug, today=clock.today())
    if event is None:
        raise CommandError(f"no event with slug '{slug}'")
    return event


def write_export(
    text: str, file: str | None, out: TextIO, *, written: str, bom: bool = False
) -> None:
    """``text`` to standard output, or to ``file`` and then "<written> written to <file>"."""
    if file is None:
        out.write(text)
        return
    try:
        Path(file).write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"cannot write {file}: {exc.strerror or exc}") from exc
    out.write(f"{written} written to {file}\n")
