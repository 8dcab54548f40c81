"""Tracker-store benchmark: one message's read and write, Rasa's SQLTrackerStore against ours.

Every message, the Rasa server reads the conversation from the tracker store and writes the
turn's new events back. This stores --users conversations of --turns turns each (a user
message with its parse data, the language action, the answer with buttons, as the server
stores them) in a fresh SQLite file per store, then times, for each conversation in turn, a
retrieve, one more turn, and a save; the median of each, per store.

"rasa" is rasa.core.tracker_store.SQLTrackerStore with Rasa's own Event.resolve_by_type;
"ours" is bot.extensions.tracker_store.ErasingSQLTrackerStore with bot.extensions.event_types
installed.

    .venv/bin/python scripts/bench_tracker_store.py --turns 4,8,16
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from bot.extensions import event_types  # noqa: E402
from bot.extensions.tracker_store import ErasingSQLTrackerStore  # noqa: E402
from kb.session import set_sqlite_pragmas  # noqa: E402


def turn(index: int) -> list[Event]:
    """One turn as the server stores it: the message, the language action, the answer."""
    text = f"je cherche les missions au Kenya pour l'agroalimentaire {index}"
    intent = {"name": "ask_missions", "confidence": 0.93}
    entities = [{"entity": "country", "value": "KE", "start": 30, "end": 35}]
    parse_data = {
        "text": text,
        "intent": intent,
        "entities": entities,
        "intent_ranking": [{"name": f"intent_{i}", "confidence": 0.01} for i in range(10)],
        "language": "fr",
        "language_script": "latn",
        "language_confidence": 0.98,
    }
    buttons = [
        {"title": f"Détails {i}", "payload": f'/ask_mission_details{{"e": "{i}"}}'}
        for i in range(3)
    ]
    return [
        UserUttered(text, intent, entities, parse_data, metadata={"language_hint": "fr"}),
        ActionExecuted("action_set_language"),
        SlotSet("language", "fr"),
        ActionExecuted("action_missions"),
        *(BotUttered(f"Mission {i} : Nairobi, 12-14 mars", {"buttons": buttons}) for i in range(3)),
        SlotSet("listed_events", ["a", "b", "c"]),
        ActionExecuted("action_listen"),
    ]


async def measure(
    label: str, store: SQLTrackerStore, users: int, turns: int, domain: Domain
) -> str:
    if label == "rasa":
        Event.resolve_by_type = staticmethod(event_types._RASA_RESOLVE)  # type: ignore[method-assign]
    else:
        event_types.install()
    for user in range(users):
        events: list[Event] = [ActionExecuted("action_listen")]
        for index in range(turns):
            events += turn(index)
        await store.save(DialogueStateTracker.from_events(f"u{user}", events, slots=domain.slots))
    reads, writes = [], []
    for user in range(users):
        start = time.perf_counter()
        tracker = await store.retrieve(f"u{user}")
        read = time.perf_counter()
        assert tracker is not None
        for event in turn(turns):
            tracker.update(event)
        write = time.perf_counter()
        await store.save(tracker)
        done = time.perf_counter()
        reads.append((read - start) * 1000)
        writes.append((done - write) * 1000)
    events = 1 + 9 * turns
    read_ms, write_ms = statistics.median(reads), statistics.median(writes)
    both = read_ms + write_ms
    return f"| {label} | {turns} | {events} | {read_ms:.1f} | {write_ms:.1f} | {both:.1f} |"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50, help="conversations per size")
    parser.add_argument("--turns", default="4,8,16", help="turns already stored, comma-separated")
    args = parser.parse_args()
    domain = Domain.load(str(ROOT / "domain.yml"))
    print("| store | turns stored | events | retrieve ms | save one turn ms | both ms |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for turns in (int(t) for t in args.turns.split(",")):
            for label, cls in (("rasa", SQLTrackerStore), ("ours", ErasingSQLTrackerStore)):
                db = str(Path(folder) / f"{label}-{turns}.db")
                store = cls(domain=domain, dialect="sqlite", db=db)
                # The same journal settings for both, so only the code differs.
                set_sqlite_pragmas(store.engine, "journal_mode=WAL", "synchronous=NORMAL")
                print(await measure(label, store, args.users, turns, domain))


if __name__ == "__main__":
    asyncio.run(main())
