"""The Alembic migrations build the schema the models describe, and undo it."""

from __future__ import annotations

import io

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from kb.migrate import (
    alembic_config,
    current_revision,
    downgrade_to,
    head_revision,
    upgrade_to_head,
)
from kb.models import metadata
from kb.session import make_engine

TABLES = {
    "events",
    "sources",
    "markets",
    "market_facts",
    "agreements",
    "procedures",
    "regions",
    "topics",
    "users",
    "registrations",
    "alert_subscriptions",
    "handoffs",
    "notifications_sent",
    "inbound_messages",
    "callback_payloads",
    "staff_accounts",
    "login_failures",
    "audit_log",
}


def test_upgrade_on_empty_database_creates_every_table_and_column(db_url: str) -> None:
    upgrade_to_head(db_url)
    engine = make_engine(db_url)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) >= TABLES
    for table in metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == set(table.columns.keys()), table.name
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_migrated_schema_matches_models(db_url: str) -> None:
    upgrade_to_head(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    engine.dispose()
    assert diff == []


def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    upgrade_to_head(db_url)
    upgrade_to_head(db_url)
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_downgrade_to_base_drops_everything(db_url: str) -> None:
    upgrade_to_head(db_url)
    downgrade_to(db_url, "base")
    engine = make_engine(db_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert current_revision(engine) is None
    engine.dispose()
    upgrade_to_head(db_url)  # and back up again
    engine = make_engine(db_url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO registrations (event_id, company_name, status, created_at)"
                " VALUES (999, 'X', 'confirmed', CURRENT_TIMESTAMP)"
            )
        )


def test_named_constraints_follow_the_naming_convention(engine) -> None:
    inspector = inspect(engine)
    fks = {fk["name"] for fk in inspector.get_foreign_keys("registrations")}
    assert fks == {"fk_registrations_event_id_events", "fk_registrations_user_id_users"}
    uniques = {uq["name"] for uq in inspector.get_unique_constraints("users")}
    assert "uq_users_channel_channel_user_id" in uniques


def test_offline_sql_for_postgresql_has_partial_and_expression_indexes() -> None:
    buffer = io.StringIO()
    cfg = alembic_config("postgresql://user:pw@localhost/asmex")
    cfg.output_buffer = buffer
    command.upgrade(cfg, "head", sql=True)
    sql = buffer.getvalue()
    assert "CREATE TABLE events" in sql
    assert "CREATE UNIQUE INDEX uq_registrations_event_id_user_id_active" in sql
    assert "WHERE status = 'confirmed'" in sql
    assert "coalesce(country, '')" in sql
    assert "JSON" in sql
