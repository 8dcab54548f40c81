"""How long the analytics page's reads of the tracker store take on a large store.

Builds an SQLite tracker store with Rasa's own table (SQLTrackerStore) holding N events
(default 50,000) shaped like the servers' (per turn: the user message with its parse data, an
action, a bot message, action_listen; the texts mostly distinct), over 90 days, 2% of the
conversations erased, then times kb.analytics.conversation_figures and
kb.learning.not_understood (the page's two reads; review-nlu's too) for 7, 30 and 90 days:
the median of 5 runs.

    .venv/bin/python scripts/bench_analytics.py [--events 50000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert  # noqa: E402

from kb.analytics import conversation_figures, day_range  # noqa: E402
from kb.learning import not_understood  # noqa: E402

TEXTS = [
    ("Quels salons au Kenya cette année ?", "list_missions", "fr"),
    ("wach kayn chi mission l Senegal", "list_missions", "ary"),
    ("بغيت نتسجل ف المعرض", "register_mission", "ary"),
    ("ما هي الأسواق الواعدة للنسيج؟", "ask_market", "ar"),
    ("which sectors are in demand in the EAC", "nlu_fallback", "en"),
    ("ma bghitch les alertes", "subscribe_alerts", "ary"),
    ("Bonjour", "greet", "fr"),
]
CHANNELS = ("telegram", "whatsapp", "rest")


def build(path: Path, events: int, seed: int = 7) -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    engine = create_engine(f"sqlite:///{path}")
    SQLTrackerStore.Base.metadata.create_all(engine)
    table = SQLTrackerStore.SQLEvent.__table__
    rng = random.Random(seed)
    now = time.time()
    rows: list[dict[str, object]] = []
    conversation = 0
    while len(rows) < events:
        conversation += 1
        channel = rng.choice(CHANNELS)
        sender = f"{channel}:{conversation}"
        start = now - rng.uniform(0, 90 * 86400)
        if rng.random() < 0.02:  # erased: the store kept it from the restart on
            rows.append(_row(sender, "restart", start, None, None, {"event": "restart"}))
        for turn in range(rng.randint(1, 6)):
            at = start + turn * 40
            text, intent, language = rng.choice(TEXTS)
            text += f" {rng.randint(1, 100_000)}"  # mostly distinct texts: none masked twice
            confidence = rng.uniform(0.3, 1.0)
            user = {
                "event": "user",
                "timestamp": at,
                "text": text,
                "input_channel": channel,
                "parse_data": {
                    "intent": {"name": intent, "confidence": confidence},
                    "language": language,
                    "intent_ranking": [
                        {"name": intent, "confidence": confidence},
                        {"name": "list_missions", "confidence": 0.1},
                    ],
                },
            }
            rows.append(_row(sender, "user", at, intent, None, user))
            for name in ("action_list_missions", None, "action_listen"):
                kind = "bot" if name is None else "action"
                data = {"event": kind, "timestamp": at + 1, "name": name, "text": "…" * 40}
                rows.append(_row(sender, kind, at + 1, None, name, data))
    with engine.begin() as connection:
        connection.execute(insert(table), rows[:events])
    engine.dispose()


def _row(sender: str, kind: str, at: float, intent: str | None, action: str | None, data: dict):
    return {
        "sender_id": sender,
        "type_name": kind,
        "timestamp": at,
        "intent_name": intent,
        "action_name": action,
        "data": json.dumps(data, ensure_ascii=False),
    }


def timed(fn, runs: int = 5) -> str:
    """Median wall-clock and CPU time of ``runs`` calls, in ms (CPU time tells less of the
    other processes of a shared machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return f"{statistics.median(wall) * 1000:.0f} ms (CPU {statistics.median(cpu) * 1000:.0f} ms)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "tracker.db"
        build(path, args.events)
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            users = connection.exec_driver_sql(
                "SELECT count(*) FROM events WHERE type_name = 'user'"
            ).scalar()
        print(f"{args.events} events ({users} user messages), {path.stat().st_size / 1e6:.1f} MB")
        today = date.today()
        for days in (7, 30, 90):
            period = day_range(today, days)
            since = time.time() - days * 86400

            def figures(period: tuple[date, ...] = period) -> None:
                with engine.connect() as connection:
                    conversation_figures(connection, days=period, threshold=0.6)

            def review(since: float = since) -> None:
                with engine.connect() as connection:
                    not_understood(connection, since=since, threshold=0.6, limit=50)

            print(
                f"{days:>2} days: figures {timed(figures)}, "
                f"not understood {timed(review)} (median of 5)"
            )
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
