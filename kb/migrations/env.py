"""Alembic environment: SQLite gets batch mode, everything gets the models' naming convention."""

from __future__ import annotations

from alembic import context
from sqlalchemy.pool import NullPool

from core import settings
from kb.models import metadata
from kb.session import make_engine

config = context.config


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or settings.database_url()


def run_migrations_offline() -> None:
    """Emit SQL to stdout (or the config's buffer) without a database."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate a live database."""
    engine = make_engine(_url(), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            is_sqlite = connection.dialect.name == "sqlite"
            if is_sqlite:
                # Batch mode recreates tables; referenced tables must be droppable meanwhile.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=is_sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
