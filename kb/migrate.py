"""Run the Alembic migrations from Python (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from core import settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config for ``url`` (default: settings.database_url())."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates '%', which URL-encoded passwords contain.
    cfg.set_main_option("sqlalchemy.url", (url or settings.database_url()).replace("%", "%%"))
    return cfg


def upgrade_to_head(url: str | None = None) -> None:
    """Upgrade the database at ``url`` to the newest revision."""
    command.upgrade(alembic_config(url), "head")


def downgrade_to(url: str | None = None, revision: str = "base") -> None:
    """Downgrade the database at ``url`` to ``revision`` (default: empty schema)."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision in the migrations directory."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
