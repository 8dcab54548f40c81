"""The knowledge base's engines and errors say nothing of the values members gave, in logs or
in error messages: no statement parameters, no PostgreSQL message quoting a value."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.access import DatabaseUnavailable, run_db
from kb.models import User
from kb.session import describe_error, make_engine

PHONE = "212612345678"


@pytest.mark.parametrize(
    "url", ["sqlite://", "postgresql+psycopg2://asmex:secret@127.0.0.1:1/asmex"]
)
def test_every_engine_hides_parameters_and_logs_no_statement(url: str) -> None:
    engine = make_engine(url, echo=True)  # even when asked
    try:
        assert engine.hide_parameters is True
        assert engine.echo is False
    finally:
        engine.dispose()


def insert_user_twice(session: Session) -> None:
    for _ in range(2):
        session.execute(insert(User).values(channel="whatsapp", channel_user_id=PHONE))


async def test_a_failed_query_is_logged_without_its_values(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    with caplog.at_level(logging.DEBUG), pytest.raises(DatabaseUnavailable) as raised:
        await run_db(insert_user_twice)
    assert "database error in insert_user_twice: IntegrityError" in caplog.text
    assert "UNIQUE constraint failed: users.channel, users.channel_user_id" in caplog.text
    assert PHONE not in caplog.text and PHONE not in str(raised.value)
    # SQLAlchemy's own message hides them too, wherever it is printed.
    assert PHONE not in str(raised.value.__cause__)


class _Diag:
    constraint_name = "uq_users_channel"


class _UniqueViolation(Exception):
    """What psycopg2 raises: a message quoting the values, a code, a constraint."""

    pgcode = "23505"
    diag = _Diag()


def test_postgresql_errors_are_described_by_code_not_by_message() -> None:
    orig = _UniqueViolation(
        'duplicate key value violates unique constraint "uq_users_channel"\n'
        f"DETAIL:  Key (channel, channel_user_id)=(whatsapp, {PHONE}) already exists."
    )
    error = IntegrityError("INSERT INTO users ...", {"channel_user_id": PHONE}, orig)
    described = describe_error(error)
    assert described == (
        "IntegrityError (_UniqueViolation): SQLSTATE 23505, constraint uq_users_channel"
    )
    invalid = _UniqueViolation(f'invalid input syntax for type integer: "{PHONE}"')
    invalid.pgcode = "22P02"
    invalid.diag = None  # type: ignore[assignment]
    assert PHONE not in describe_error(IntegrityError("SELECT", {}, invalid))
