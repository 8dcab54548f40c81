"""The analytics figures: per day (Morocco's), channel and language, the share not
understood, and the handoff times and ratings when the handoffs table records them."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kb.analytics import Durations, conversation_figures, day_range, handoff_figures
from kb.models import Handoff
from kb.users import get_or_create_user
from tests.support.tracker_events import tracker_engine
from tests.support.tracker_fixtures import known_week


@pytest.fixture()
def tracker(tmp_path: Path) -> Engine:
    engine = tracker_engine(tmp_path / "tracker.db")
    known_week().store(engine)
    return engine


def test_figures_per_day_channel_and_language(tracker: Engine) -> None:
    days = day_range(date(2026, 1, 15), 7)
    with tracker.connect() as connection:
        figures = conversation_figures(connection, days=days, threshold=0.6)
    assert figures.days[-3:] == (date(2026, 1, 13), date(2026, 1, 14), date(2026, 1, 15))
    assert {name: counts[-3:] for name, counts in figures.by_channel.items()} == {
        "rest": (0, 1, 1),
        "telegram": (2, 2, 0),
        "whatsapp": (1, 0, 1),
    }
    assert {name: counts[-3:] for name, counts in figures.by_language.items()} == {
        "ar": (0, 1, 0),
        "ary": (1, 0, 1),
        "en": (0, 1, 1),
        "fr": (2, 1, 0),
    }
    assert (figures.total, figures.read, figures.not_understood, figures.unsure) == (8, 7, 1, 1)
    assert figures.not_understood_share == pytest.approx(1 / 7)
    assert figures.top_intents[0] == ("greet", 4)
    with tracker.connect() as connection:
        month = conversation_figures(
            connection, days=day_range(date(2026, 1, 15), 30), threshold=0.6
        )
    assert month.total == 9


def test_handoff_times_and_rating_of_a_live_handoff(engine: Engine) -> None:
    """A handoff taken, answered, handed back and rated through kb.handoff_live: its waiting
    and answer times and its rating are in the figures; an untaken one is in none."""
    from kb.handoff_live import add_staff_reply, hand_back, rate_latest, take
    from kb.staff import create_staff

    created = datetime.now(timezone.utc) - timedelta(minutes=30)
    with Session(engine) as session, session.begin():
        staff = create_staff(session, email="a@asmex.ma", role="admin", password="x" * 12)
        member = get_or_create_user(session, channel="telegram", channel_user_id="5")
        other = get_or_create_user(session, channel="telegram", channel_user_id="6")
        live = Handoff(user_id=member.id, status="open", created_at=created)
        session.add_all([live, Handoff(user_id=other.id, status="open", created_at=created)])
        session.flush()
        take(session, handoff_id=live.id, staff_id=staff.id)
        add_staff_reply(session, handoff_id=live.id, staff_id=staff.id, text="Bonjour")
        hand_back(session, handoff_id=live.id)
        rated = rate_latest(
            session, channel="telegram", channel_user_id="5", rating=4, within=timedelta(days=1)
        )
        assert rated is not None and rated.id == live.id
    with Session(engine) as session:
        figures = handoff_figures(
            session,
            since=created - timedelta(days=1),
            until=created + timedelta(days=1),
        )
    assert figures.created == 2
    assert figures.waiting is not None and figures.waiting.count == 1
    assert 29 <= figures.waiting.median <= 31
    assert figures.answer is not None and figures.answer.count == 1
    assert figures.ratings == {4: 1}


def test_handoff_times_and_ratings_once_the_table_records_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The columns a live handoff adds (taken_at, first_reply_at, rating) are read when the
    table has them: medians and longest in minutes, ratings counted."""
    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine

    import kb.analytics

    schema = MetaData()
    handoffs = Table(
        "handoffs",
        schema,
        Column("id", Integer, primary_key=True),
        Column("status", String(20)),
        Column("created_at", DateTime(timezone=True)),
        Column("taken_at", DateTime(timezone=True)),
        Column("first_reply_at", DateTime(timezone=True)),
        Column("rating", Integer),
    )
    database = create_engine(f"sqlite:///{tmp_path / 'handoffs.db'}")
    schema.create_all(database)
    day = datetime(2026, 1, 14, 9, tzinfo=timezone.utc)
    rows = [  # created, taken after, first reply after (minutes), rating
        (0, 4, 6, 5),
        (60, 10, 30, 4),
        (120, 30, 40, None),
        (180, None, None, None),  # never taken: not in the times
    ]
    with database.begin() as connection:
        for created, taken, reply, rating in rows:
            start = day + timedelta(minutes=created)
            connection.execute(
                handoffs.insert().values(
                    status="open",
                    created_at=start,
                    taken_at=None if taken is None else start + timedelta(minutes=taken),
                    first_reply_at=None if reply is None else start + timedelta(minutes=reply),
                    rating=rating,
                )
            )
    monkeypatch.setattr(kb.analytics, "metadata", schema)
    with Session(database) as session:
        figures = handoff_figures(
            session, since=day - timedelta(days=1), until=day + timedelta(days=1)
        )
    assert figures.created == 4
    assert figures.waiting == Durations(count=3, median=10.0, longest=30.0)
    assert figures.answer == Durations(count=3, median=30.0, longest=40.0)
    assert figures.ratings == {4: 1, 5: 1}
