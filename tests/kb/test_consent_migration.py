"""Migration 0005: the consent's text and language on users, added and removed."""

from __future__ import annotations

from sqlalchemy import inspect, text

from kb.migrate import downgrade_to, upgrade_to_head
from kb.session import make_engine


def _user_columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns("users")}
    finally:
        engine.dispose()


def test_0005_adds_the_consent_text_and_language_and_keeps_users(db_url: str) -> None:
    upgrade_to_head(db_url)
    downgrade_to(db_url, "0004")
    assert {"consent", "consent_at"} <= _user_columns(db_url)
    assert not {"consent_version", "consent_language"} & _user_columns(db_url)
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO users (channel, channel_user_id) VALUES ('telegram', '42')")
        )
    engine.dispose()
    upgrade_to_head(db_url)
    assert {"consent_version", "consent_language"} <= _user_columns(db_url)
    engine = make_engine(db_url)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT channel_user_id, consent, consent_version FROM users")
        ).one()
    engine.dispose()
    assert (row[0], bool(row[1]), row[2]) == ("42", False, None)
