"""Engine and session factory; nothing connects until a function here is called."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from core import settings


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def set_sqlite_pragmas(engine: Engine, *pragmas: str) -> None:
    """Run ``PRAGMA <p>`` for each of ``pragmas`` on every new connection of ``engine``."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(f"PRAGMA {pragma}")
        finally:
            cursor.close()

    event.listen(engine, "connect", on_connect)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (default: settings.database_url()).

    SQLite connections get foreign keys ON and WAL journaling; the var/ directory is created
    for the default SQLite file only, so a wrong path still fails loudly. The statements'
    parameters (members' messages, phone numbers, e-mails) never appear in logs or in error
    messages (``hide_parameters``), and no statement is logged (``echo`` off).
    """
    parsed = make_url(url or settings.database_url())
    if _is_sqlite(parsed) and parsed.database == str(settings.VAR_DIR / "asmex.db"):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    kwargs.update(hide_parameters=True, echo=False)
    engine = create_engine(parsed, future=True, **kwargs)
    if _is_sqlite(parsed):
        set_sqlite_pragmas(engine, "foreign_keys=ON", "journal_mode=WAL", "busy_timeout=5000")
    return engine


def make_session_factory(engine: Engine) -> sessionmaker:
    """A sessionmaker bound to ``engine``; use it as ``with factory() as s, s.begin(): ...``."""
    return sessionmaker(bind=engine, class_=Session, future=True, expire_on_commit=False)


def describe_error(exc: BaseException) -> str:
    """A database error as a log may show it: its kinds, and PostgreSQL's error code and
    constraint rather than its message, which may quote values ("Key (email)=(...) already
    exists"); other drivers' first line (SQLite's name tables and columns, never values)."""
    orig = getattr(exc, "orig", None) or exc
    kinds = type(exc).__name__ if orig is exc else f"{type(exc).__name__} ({type(orig).__name__})"
    code = getattr(orig, "pgcode", None)
    if code:
        constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
        return f"{kinds}: SQLSTATE {code}" + (f", constraint {constraint}" if constraint else "")
    lines = str(orig).strip().splitlines()
    return f"{kinds}: {lines[0]}" if lines else kinds


def display_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as given, minus nothing secret
        return "<unparsable database URL>"
