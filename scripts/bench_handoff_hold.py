"""How long the per-message check "does a person hold this conversation?" takes.

bot/extensions/handoff_hold.py asks the knowledge base, before NLU runs, for the member's
handoff a staff member holds (kb.handoff_live.held_handoff), on every member message. This
fills a throwaway SQLite database with USERS members and HANDOFFS past requests (a few still
held), then times the lookup for members with and without a held conversation, and prints
SQLite's query plan.

    .venv/bin/python scripts/bench_handoff_hold.py [--users 20000] [--handoffs 50000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--handoffs", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    args = parser.parse_args()

    from sqlalchemy import insert, text
    from sqlalchemy.orm import Session

    from kb.handoff_live import held_handoff
    from kb.migrate import upgrade_to_head
    from kb.models import Handoff, User
    from kb.session import make_engine

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        upgrade_to_head(url)
        engine = make_engine(url)
        rng = random.Random(7)
        with Session(engine) as session, session.begin():
            session.execute(
                insert(User),
                [
                    {"channel": "telegram", "channel_user_id": str(100_000 + i)}
                    for i in range(args.users)
                ],
            )
            statuses = ["closed"] * 97 + ["open", "taken", "taken"]
            session.execute(
                insert(Handoff),
                [
                    {"user_id": rng.randint(1, args.users), "status": rng.choice(statuses)}
                    for _ in range(args.handoffs)
                ],
            )
        members = [str(100_000 + rng.randrange(args.users)) for _ in range(args.lookups)]
        timings, held = [], 0
        with Session(engine) as session:
            for member in members:
                start = time.perf_counter()
                found = held_handoff(session, channel="telegram", channel_user_id=member)
                timings.append((time.perf_counter() - start) * 1000)
                held += found is not None
            plan = session.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT handoffs.id FROM handoffs JOIN users"
                    " ON users.id = handoffs.user_id WHERE users.channel = 'telegram'"
                    " AND users.channel_user_id = '100001' AND handoffs.status IN ('taken')"
                    " ORDER BY handoffs.id DESC"
                )
            ).all()
        timings.sort()
        p95 = timings[int(0.95 * (len(timings) - 1))]
        print(
            f"{args.users} members, {args.handoffs} handoffs, {len(members)} lookups ({held} held)"
        )
        print(f"lookup p50 {statistics.median(timings):.3f} ms, p95 {p95:.3f} ms")
        for row in plan:
            print("plan:", row[-1])


if __name__ == "__main__":
    main()
