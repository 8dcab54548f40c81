"""The learning loop's one function: what it lists, groups, masks and leaves out."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core.settings import TIMEZONE
from kb.conversations import erased_conversations
from kb.learning import mask_contacts, not_understood
from tests.support.tracker_events import tracker_engine
from tests.support.tracker_fixtures import members_messages

NOW = time.time()
WEEK = 7 * 24 * 3600.0


@pytest.fixture()
def tracker(tmp_path: Path) -> Engine:
    engine = tracker_engine(tmp_path / "tracker.db")
    members_messages(NOW).store(engine)
    return engine


def test_groups_counted_with_their_intents_and_languages(tracker: Engine) -> None:
    with tracker.connect() as connection:
        groups = not_understood(connection, since=NOW - WEEK, threshold=0.6)
    by_text = {group.text: group for group in groups}
    eac = groups[0]  # the largest first
    assert eac.count == 2 and eac.reason == "not_understood"
    assert eac.text in by_text and "EAC" in eac.text
    assert eac.guess == "ask_market"  # the best guess other than nlu_fallback
    assert eac.languages == (("fr", 2),)
    assert eac.intents == (("nlu_fallback", pytest.approx(0.3)),)
    darija = by_text["بغيت نعرف واش كاين الطلب على زيت الزيتون ف COMESA"]
    assert (darija.reason, darija.guess, darija.languages) == (
        "unsure",
        "ask_market",
        (("ary", 1),),
    )
    assert darija.confidence == pytest.approx(0.45)
    arabizi = by_text["ma bghitch les alertes 3afak"]
    assert (arabizi.reason, arabizi.guess) == ("unsure", "subscribe_alerts")
    arabic = by_text["من هو رئيس الجمعية؟"]
    assert (arabic.reason, arabic.guess, arabic.languages) == (
        "not_understood",
        "ask_asmex",
        (("ar", 1),),
    )
    assert sum(group.count for group in groups) == 6


def test_left_out_erased_members_handoffs_payloads_understood_and_old(tracker: Engine) -> None:
    with tracker.connect() as connection:
        texts = " ".join(g.text for g in not_understood(connection, since=NOW - WEEK))
        assert erased_conversations(connection) == {"telegram:105", "telegram:106"}
    for absent in ("Fatima", "supprimer", "Madame", "register_mission", "Bonjour", "thanks"):
        assert absent not in texts
    assert "Dubai" not in texts  # nine days old


def test_a_lower_threshold_keeps_only_what_was_not_understood(tracker: Engine) -> None:
    with tracker.connect() as connection:
        groups = not_understood(connection, since=NOW - WEEK, threshold=0.4)
    assert {group.reason for group in groups} == {"not_understood"}
    assert len(groups) == 3


def test_contacts_are_masked(tracker: Engine) -> None:
    with tracker.connect() as connection:
        texts = [g.text for g in not_understood(connection, since=NOW - WEEK)]
    assert "appelez moi au <phone> ou <email>, ICE <ice>" in texts
    joined = " ".join(texts)
    for secret in ("0612345678", "karim", "001525478000032"):
        assert secret not in joined


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("+212 6 12 34 56 78 svp", "<phone> svp"),
        ("رقمي 0612345678", "رقمي <phone>"),
        ("ICE ٠٠١٥٢٥٤٧٨٠٠٠٠٣٢", "ICE <ice>"),
        ("num 06 12 34 567 (faux)", "num <number> (faux)"),
        ("mail: A.B@Site.MA.", "mail: <email>."),
        ("salon 2026 f Dubai", "salon 2026 f Dubai"),
    ],
)
def test_mask_contacts(text: str, masked: str) -> None:
    assert mask_contacts(text) == masked


def test_an_empty_store_has_nothing_to_review(tmp_path: Path) -> None:
    engine = tracker_engine(tmp_path / "empty.db")
    with engine.connect() as connection:
        assert not_understood(connection, since=0) == []


def test_the_same_on_postgresql() -> None:
    """The JSON fields are extracted by PostgreSQL's operators there (SQLite's json_extract
    in the tests above): same groups, same figures."""
    from sqlalchemy import create_engine

    from kb.analytics import conversation_figures, day_range
    from tests.support.db_servers import postgres_server

    with postgres_server() as pg:
        pg.create_database("tracker")
        engine = create_engine(pg.url("tracker"))
        from rasa.core.tracker_store import SQLTrackerStore

        SQLTrackerStore.Base.metadata.create_all(engine)
        members_messages(NOW).store(engine)
        with engine.connect() as connection:
            groups = not_understood(connection, since=NOW - WEEK, threshold=0.6)
            figures = conversation_figures(
                connection, days=day_range(datetime.now(TIMEZONE).date(), 8), threshold=0.6
            )
        engine.dispose()
    assert [(g.count, g.guess, g.reason) for g in groups][:1] == [
        (2, "ask_market", "not_understood")
    ]
    assert sum(g.count for g in groups) == 6
    assert "appelez moi au <phone> ou <email>, ICE <ice>" in [g.text for g in groups]
    assert figures.total == 10  # the erased members' and the old message left out
    assert figures.read == 8  # the button and the message a person handled are not read
    assert (figures.not_understood, figures.unsure) == (4, 2)
