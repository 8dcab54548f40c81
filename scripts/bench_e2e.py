"""End-to-end benchmark: N concurrent simulated users over the REST channel.

Starts the action server and the Rasa server (tests/e2e/servers.py) over a fresh SQLite
knowledge base with data/kb loaded, then, for each N, lets N users hold a scripted conversation
at once: greeting, upcoming missions, one event's details (button payload), a market question,
the regional office, goodbye; in French, Arabic, Darija (Arabizi) and English.

Two scenarios, on the same servers:
- back-to-back: each user sends its next message as soon as the previous reply arrives (no
  think time): the worst case, a measure of the servers' capacity;
- paced: each user reads and types for a random 2-8 s (seeded) before each message, and the
  users start at random moments of the first 8 s: people on phones.

Every turn is checked: a non-empty reply list, addressed to that user, with the content that
turn expects (e.g. the delegate's name for the regional office), in the reply language, and no
message repeated. Reports per N the turn latency p50/p95/p99 and messages per second; writes
bench/out/e2e.md and bench/out/e2e.json. Target (issue 4): p95 < 300 ms at 10 users on 2 cores,
reported for each scenario.

    make bench-e2e
    python scripts/bench_e2e.py --users 1,10,50 --turns 6 --think 0,2-8
    python scripts/bench_e2e.py --stack production --workers 2 --out bench/out/production
    python scripts/bench_e2e.py --rasa-url http://127.0.0.1:5005   # servers already running

Every request carries the REST channel's bearer token: the servers the benchmark starts get a
new one; with --rasa-url it is --token, else REST_TOKEN from the environment, else from .env.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
MODEL = ROOT / "models" / "asmex.tar.gz"
TARGET_USERS, TARGET_P95_MS = 10, 300.0
ARABIC_LETTER_RE = re.compile(r"[\u0621-\u064a]")
DAKAR = "sample-dakar-b2b-mission-2026"
DETAILS_PAYLOAD = "/ask_mission_details" + json.dumps({"event_slug": DAKAR})


@dataclass(frozen=True)
class Pacing:
    """Think time before each message, uniform in [low, high] seconds; 0-0 = back-to-back."""

    low: float = 0.0
    high: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Pacing:
        """'0' -> back-to-back; '2-8' -> 2 to 8 s; '5' -> exactly 5 s."""
        low, _, high = text.strip().partition("-")
        pacing = cls(float(low), float(high or low))
        if not 0 <= pacing.low <= pacing.high:
            raise ValueError(f"think time {text!r}: expected LOW-HIGH seconds, 0 <= LOW <= HIGH")
        return pacing

    @property
    def label(self) -> str:
        if self.high == 0:
            return "back-to-back"
        if self.low == self.high:
            return f"think {self.low:g} s"
        return f"think {self.low:g}-{self.high:g} s"

    def delay(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high) if self.high else 0.0


BACK_TO_BACK = Pacing()


@dataclass(frozen=True)
class Turn:
    """One user message and what its reply must contain (text, button payloads or custom)."""

    kind: str
    text: str
    expect: tuple[str, ...]


def _script(
    greet: tuple[str, str],
    missions: tuple[str, str],
    details: str,
    market: tuple[str, str],
    region: tuple[str, str],
    goodbye: tuple[str, str],
) -> tuple[Turn, ...]:
    return (
        Turn("greeting", greet[0], (greet[1],)),
        Turn("missions", missions[0], ("/ask_mission_details{", missions[1])),
        Turn("details", DETAILS_PAYLOAD, (details, "BEGIN:VCALENDAR")),
        Turn("market", market[0], (market[1],)),
        Turn("region", region[0], ("Khalid Bounajma", region[1])),
        Turn("goodbye", goodbye[0], (goodbye[1],)),
    )


#: Conversation per variety, and the reply language it gets (Arabizi Darija is answered in French).
SCRIPTS: dict[str, tuple[str, tuple[Turn, ...]]] = {
    "fr": (
        "fr",
        _script(
            ("bonjour", "Bonjour"),
            ("quelles sont les prochaines missions ?", "EXEMPLE"),
            "Mission B2B à Dakar",
            ("quelles sont les opportunités d'export au Kenya ?", "Silicon Savannah"),
            ("qui est le délégué ASMEX à Agadir ?", "Souss-Massa"),
            ("au revoir", "Au revoir"),
        ),
    ),
    "ar": (
        "ar",
        _script(
            ("السلام عليكم", "مرحبا"),
            ("ما هي البعثات القادمة؟", "بيانات تجريبية"),
            "داكار",
            ("كيف أصدر منتجاتي إلى كينيا؟", "سيليكون سافانا"),
            ("من هو مندوب الجمعية في أكادير؟", "سوس ماسة"),
            ("مع السلامة", "مع السلامة"),
        ),
    ),
    "ary": (
        "fr",
        _script(
            ("salam labas", "Bonjour"),
            ("kayn chi missions jayin?", "EXEMPLE"),
            "Mission B2B à Dakar",
            ("bghit n3ref 3la marché dyal Kenya", "Silicon Savannah"),
            ("chkoun delegue dyal ASMEX f Agadir?", "Souss-Massa"),
            ("bslama", "Au revoir"),
        ),
    ),
    "en": (
        "en",
        _script(
            ("hello", "Hello"),
            ("what are the upcoming missions?", "SAMPLE"),
            "B2B mission to Dakar",
            ("how can I export to Kenya?", "Silicon Savannah"),
            ("who is the ASMEX delegate in Agadir?", "Souss-Massa"),
            ("bye", "Goodbye"),
        ),
    ),
}
VARIETIES = tuple(SCRIPTS)


# --- checking one turn ---------------------------------------------------------------------------


def _haystack(replies: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for reply in replies:
        parts.append(str(reply.get("text") or ""))
        parts.extend(str(b.get("payload")) for b in reply.get("buttons") or [])
        if reply.get("custom") is not None:
            parts.append(json.dumps(reply["custom"], ensure_ascii=False))
    return "\n".join(parts)


def check_turn(
    turn: Turn, lang: str, sender: str, replies: Any, previous: list[dict[str, Any]] | None
) -> tuple[str, str] | None:
    """(failure kind, detail) for a wrong reply, None for a good one."""
    if not isinstance(replies, list) or not replies:
        return "lost", "empty reply list"
    if any(r.get("recipient_id") != sender for r in replies):
        return "misrouted", "a reply is addressed to another user"
    keys = [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in replies]
    if len(set(keys)) != len(keys):
        return "duplicated", "the same message twice in one reply"
    if previous is not None and replies == previous:
        return "duplicated", "the previous turn's reply again"
    haystack = _haystack(replies)
    missing = [e for e in turn.expect if e not in haystack]
    if missing:
        return "unexpected", f"missing {missing}: {haystack[:200]!r}"
    text = "\n".join(str(r.get("text") or "") for r in replies)
    if (lang == "ar") != bool(ARABIC_LETTER_RE.search(text)):
        return "language", f"not in {lang}: {text[:200]!r}"
    return None


# --- running users -------------------------------------------------------------------------------


@dataclass
class TurnResult:
    """One request: which user and turn, its latency and its failure if any."""

    users: int
    variety: str
    kind: str
    latency_ms: float
    failure: str | None = None
    detail: str = ""
    sender: str = ""
    text: str = ""


async def _post(session: Any, url: str, sender: str, text: str, timeout: float) -> Any:
    import aiohttp

    async with session.post(
        url,
        json={"sender": sender, "message": text},
        timeout=aiohttp.ClientTimeout(total=timeout),
    ) as response:
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return await response.json(content_type=None)


async def run_user(
    session: Any,
    url: str,
    users: int,
    index: int,
    turns: int,
    run_id: str,
    timeout: float,
    deadline: float,
    pacing: Pacing = BACK_TO_BACK,
) -> list[TurnResult]:
    """One simulated user: its variety's script, ``turns`` messages, one at a time.

    With a think time, the user first waits a random moment of the first ``pacing.high``
    seconds (so users do not all start together), then thinks before each later message.
    """
    variety = VARIETIES[index % len(VARIETIES)]
    lang, script = SCRIPTS[variety]
    sender = f"bench-{run_id}-n{users}-u{index}-{variety}"
    rng = random.Random(f"{users}-{index}")
    results: list[TurnResult] = []
    previous: list[dict[str, Any]] | None = None
    for position in range(turns):
        turn = script[position % len(script)]
        wait = rng.uniform(0, pacing.high) if position == 0 else pacing.delay(rng)
        if wait:
            await asyncio.sleep(wait)
        if time.monotonic() > deadline:
            results.append(
                TurnResult(
                    users,
                    variety,
                    turn.kind,
                    math.nan,
                    "not sent",
                    "time budget exhausted",
                    sender,
                    turn.text,
                )
            )
            continue
        start = time.perf_counter()
        try:
            replies = await _post(session, url, sender, turn.text, timeout)
        except Exception as exc:  # noqa: BLE001 - every transport failure is a failed turn
            elapsed = (time.perf_counter() - start) * 1000
            results.append(
                TurnResult(
                    users,
                    variety,
                    turn.kind,
                    elapsed,
                    "error",
                    f"{type(exc).__name__}: {exc}",
                    sender,
                    turn.text,
                )
            )
            previous = None
            continue
        elapsed = (time.perf_counter() - start) * 1000
        problem = check_turn(turn, lang, sender, replies, previous)
        results.append(
            TurnResult(
                users,
                variety,
                turn.kind,
                elapsed,
                problem[0] if problem else None,
                problem[1] if problem else "",
                sender,
                turn.text,
            )
        )
        previous = replies if isinstance(replies, list) else None
    return results


async def run_level(
    url: str,
    users: int,
    turns: int,
    run_id: str,
    timeout: float,
    budget: float,
    pacing: Pacing = BACK_TO_BACK,
    token: str = "",
) -> tuple[list[TurnResult], float]:
    """N users at once, sending ``token`` to the REST channel; returns every turn and the wall
    time in seconds."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        # The budget is for the servers' time: the users' thinking is added to it.
        deadline = time.monotonic() + budget + turns * pacing.high
        start = time.perf_counter()
        per_user = await asyncio.gather(
            *(
                run_user(session, url, users, i, turns, run_id, timeout, deadline, pacing)
                for i in range(users)
            )
        )
        wall = time.perf_counter() - start
    return [r for rs in per_user for r in rs], wall


#: Unmeasured conversations per variety before the measures, held at once: enough that every
#: Sanic worker almost surely gets each variety (connections land on workers at random: with
#: two workers, 8 miss one with probability 2 * 0.5**8, under 1%).
WARM_UP_PER_VARIETY = 8


async def warm_up(url: str, run_id: str, timeout: float, token: str = "") -> None:
    """Unmeasured conversations in every variety: the first messages a worker handles build
    lazily built parts (TensorFlow functions, the TED cache), on each worker."""
    results, _ = await run_level(
        url,
        WARM_UP_PER_VARIETY * len(VARIETIES),
        len(SCRIPTS["fr"][1]),
        f"{run_id}w",
        timeout,
        budget=120,
        token=token,
    )
    failed = [r for r in results if r.failure]
    if failed:
        print(
            f"warm-up: {len(failed)} of {len(results)} turns failed "
            f"(first: {failed[0].variety}/{failed[0].kind}: {failed[0].detail})"
        )


# --- statistics and reports ----------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of the values; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_stats(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else math.nan,
        "mean": sum(values) / len(values) if values else math.nan,
    }


@dataclass
class LevelReport:
    """Figures for one N in one scenario."""

    scenario: str
    users: int
    turns_per_user: int
    requests: int
    answered: int
    correct: int
    wall_seconds: float
    messages_per_second: float
    latency_ms: dict[str, float]
    latency_ms_by_kind: dict[str, dict[str, float]]
    failures: dict[str, int]
    failure_examples: list[dict[str, str]] = field(default_factory=list)


def summarize(
    users: int, turns: int, results: list[TurnResult], wall: float, scenario: str = "back-to-back"
) -> LevelReport:
    sent = [r for r in results if r.failure != "not sent"]
    answered = [r for r in sent if r.failure != "error"]
    latencies = [r.latency_ms for r in answered]
    by_kind: dict[str, dict[str, float]] = {}
    for kind in dict.fromkeys(r.kind for r in answered):
        values = [r.latency_ms for r in answered if r.kind == kind]
        by_kind[kind] = {
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "n": float(len(values)),
        }
    failed = [r for r in results if r.failure]
    examples = []
    seen: set[tuple[str, str, str]] = set()
    for r in failed:
        key = (r.failure or "", r.variety, r.kind)
        if key not in seen and len(examples) < 12:
            seen.add(key)
            examples.append(
                {
                    "failure": r.failure or "",
                    "variety": r.variety,
                    "kind": r.kind,
                    "message": r.text,
                    "detail": r.detail,
                }
            )
    return LevelReport(
        scenario=scenario,
        users=users,
        turns_per_user=turns,
        requests=len(sent),
        answered=len(answered),
        correct=len(results) - len(failed),
        wall_seconds=round(wall, 2),
        messages_per_second=round(len(answered) / wall, 2) if wall else math.nan,
        latency_ms={k: round(v, 1) for k, v in latency_stats(latencies).items()},
        latency_ms_by_kind={k: {m: round(v, 1) for m, v in s.items()} for k, s in by_kind.items()},
        failures=dict(Counter(r.failure for r in failed if r.failure)),
        failure_examples=examples,
    )


def machine() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "cpus_usable": usable,
        "cpus_total": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def target_verdict(reports: list[LevelReport]) -> dict[str, Any]:
    at = next((r for r in reports if r.users == TARGET_USERS), None)
    if at is None:
        return {
            "users": TARGET_USERS,
            "p95_ms_max": TARGET_P95_MS,
            "p95_ms": None,
            "met": None,
            "note": f"N={TARGET_USERS} was not run",
        }
    p95 = at.latency_ms["p95"]
    complete = at.correct == at.requests == at.users * at.turns_per_user
    return {
        "users": TARGET_USERS,
        "p95_ms_max": TARGET_P95_MS,
        "p95_ms": p95,
        "all_turns_correct": complete,
        "met": bool(p95 < TARGET_P95_MS) and complete,
    }


def table(reports: list[LevelReport]) -> str:
    lines = [
        "| users | turns | correct | p50 ms | p95 ms | p99 ms | max ms | msg/s | failures |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        lat = r.latency_ms
        failures = ", ".join(f"{k} {v}" for k, v in sorted(r.failures.items())) or "none"
        lines.append(
            f"| {r.users} | {r.requests} | {r.correct}/{r.users * r.turns_per_user} "
            f"| {lat['p50']:.0f} | {lat['p95']:.0f} | {lat['p99']:.0f} | {lat['max']:.0f} "
            f"| {r.messages_per_second:.1f} | {failures} |"
        )
    return "\n".join(lines)


def verdict_line(verdict: dict[str, Any]) -> str:
    if verdict["met"] is None:
        return str(verdict["note"])
    return (
        f"p95 at {verdict['users']} users = {verdict['p95_ms']:.0f} ms "
        f"(target < {verdict['p95_ms_max']:.0f} ms"
        + ("" if verdict["all_turns_correct"] else ", and every turn correct")
        + f"): **{'met' if verdict['met'] else 'NOT met'}**"
    )


def scenario_section(reports: list[LevelReport], verdict: dict[str, Any]) -> list[str]:
    parts = [f"## {reports[0].scenario}", "", table(reports), ""]
    parts += [f"Target (issue 4): {verdict_line(verdict)}.", ""]
    at = next((r for r in reports if r.users == TARGET_USERS), None)
    if at:
        parts += [f"p95 by turn at {TARGET_USERS} users:", ""]
        parts += ["| turn | n | p50 ms | p95 ms |", "|---|---:|---:|---:|"]
        parts += [
            f"| {k} | {v['n']:.0f} | {v['p50']:.0f} | {v['p95']:.0f} |"
            for k, v in at.latency_ms_by_kind.items()
        ]
        parts.append("")
    examples = [(r.users, e) for r in reports for e in r.failure_examples]
    if examples:
        parts += ["Failures (first of each kind per N):", ""]
        parts += [
            f"- N={n} {e['variety']}/{e['kind']} `{e['message']}`: {e['failure']} — {e['detail']}"
            for n, e in examples
        ]
        parts.append("")
    return parts


def markdown(
    scenarios: list[tuple[list[LevelReport], dict[str, Any]]], meta: dict[str, Any]
) -> str:
    m = meta["machine"]
    parts = [
        "# End-to-end benchmark (REST channel)",
        "",
        f"{meta['date']} · model `{meta['model']}` · {m['cpus_usable']} usable CPUs "
        f"(load average at start {', '.join(map(str, m['load_average_at_start']))}) · "
        f"Python {m['python']} · servers: {meta['servers']}",
        "",
        "Each user holds a scripted conversation (greeting, upcoming missions, one event's "
        "details from a button payload, the Kenya market, the Agadir regional office, goodbye) "
        "in fr, ar, ary (Arabizi) or en. Back-to-back: the next message leaves as soon as the "
        "reply arrives (the servers' capacity; msg/s is the throughput). Think LOW-HIGH s: "
        "each user waits a random time in that range before each message (msg/s is then the "
        "offered load). Latency: from the POST to the last byte of the reply, per turn. A turn "
        "is correct when the reply list is non-empty, addressed to that user, contains what "
        "the turn expects, is in the reply language and repeats no message.",
        "",
    ]
    for reports, verdict in scenarios:
        parts += scenario_section(reports, verdict)
    return "\n".join(parts).rstrip("\n") + "\n"


# --- main ----------------------------------------------------------------------------------------


async def bench(
    url: str,
    levels: list[int],
    turns: int,
    timeout: float,
    budget: float,
    pacings: tuple[Pacing, ...] = (BACK_TO_BACK,),
    token: str = "",
) -> list[list[LevelReport]]:
    """For each pacing, every N in turn; returns the reports per pacing."""
    run_id = uuid.uuid4().hex[:6]
    await warm_up(url, run_id, timeout, token)
    return [
        await bench_scenario(url, levels, turns, timeout, budget, pacing, f"{run_id}p{i}", token)
        for i, pacing in enumerate(pacings)
    ]


async def bench_scenario(
    url: str,
    levels: list[int],
    turns: int,
    timeout: float,
    budget: float,
    pacing: Pacing,
    run_id: str,
    token: str = "",
) -> list[LevelReport]:
    reports = []
    for users in levels:
        results, wall = await run_level(url, users, turns, run_id, timeout, budget, pacing, token)
        report = summarize(users, turns, results, wall, pacing.label)
        reports.append(report)
        lat = report.latency_ms
        print(
            f"{pacing.label:<14} N={users:<3} {report.correct}/{users * turns} correct  "
            f"p50 {lat['p50']:.0f} ms  "
            f"p95 {lat['p95']:.0f} ms  p99 {lat['p99']:.0f} ms  "
            f"{report.messages_per_second:.1f} msg/s  ({wall:.1f} s)",
            flush=True,
        )
    return reports


def run_with_servers(
    args: argparse.Namespace, levels: list[int], pacings: tuple[Pacing, ...]
) -> tuple[list[list[LevelReport]], str]:
    from tests.e2e.servers import ROOT as PROJECT
    from tests.e2e.servers import running_servers
    from tests.e2e.stack import PRODUCTION_ENDPOINTS, prepare_database, production_stack

    if not args.model.is_file():
        sys.exit(f"no model at {args.model}: run `make train` first")
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        if args.stack == "production":
            production = stack.enter_context(production_stack(workers=args.workers))
            env = {**production.env, "ASMEX_TODAY": args.today}
            endpoints: Path | None = PROJECT / PRODUCTION_ENDPOINTS
            described = (
                f"started by the benchmark: {PRODUCTION_ENDPOINTS}, PostgreSQL knowledge base "
                f"and tracker store, Redis lock store, {args.workers} Sanic worker(s)"
            )
        else:
            database_url = f"sqlite:///{workdir / 'kb.db'}"
            prepare_database(database_url)
            env = {"DATABASE_URL": database_url, "ASMEX_TODAY": args.today}
            endpoints = None
            described = "started by the benchmark (SQLite knowledge base and tracker store)"
        started = time.perf_counter()
        with running_servers(args.model, workdir, env, endpoints=endpoints) as servers:
            print(
                f"servers up in {time.perf_counter() - started:.0f} s "
                f"(rasa {servers.rasa_url}, actions {servers.actions_url}); today {args.today}",
                flush=True,
            )
            url = f"{servers.rasa_url}/webhooks/rest/webhook"
            reports = asyncio.run(
                bench(
                    url,
                    levels,
                    args.turns,
                    args.timeout,
                    args.budget,
                    pacings,
                    servers.rest_token,
                )
            )
    return reports, described


def rest_token() -> str:
    """REST_TOKEN from the environment, else from the project's .env (scripts/write_secrets)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from write_secrets import dotenv_value

    return os.environ.get("REST_TOKEN", "").strip() or dotenv_value("REST_TOKEN")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--users",
        default="1,10,50",
        help="comma-separated numbers of concurrent users (default 1,10,50)",
    )
    parser.add_argument(
        "--turns",
        type=int,
        default=6,
        help="messages per user; the 6-turn script repeats if more (default 6)",
    )
    parser.add_argument(
        "--think",
        default="0,2-8",
        help="comma-separated scenarios: seconds of think time before each message, "
        "LOW-HIGH or 0 for back-to-back (default 0,2-8: both)",
    )
    parser.add_argument(
        "--stack",
        choices=("sqlite", "production"),
        default="sqlite",
        help="sqlite: endpoints.yml, as `make run` (default); production: "
        "endpoints.production.yml over PostgreSQL and Redis servers started for the run",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="Sanic workers of the Rasa server with --stack production (default 2)",
    )
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument(
        "--today",
        default="2026-11-22",
        help="ASMEX_TODAY for the action server (sample events upcoming)",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument(
        "--budget",
        type=float,
        default=90.0,
        help="seconds per N; turns not started by then are reported as not sent",
    )
    parser.add_argument(
        "--rasa-url",
        default=None,
        help="bench servers already running at this URL instead of starting them",
    )
    parser.add_argument(
        "--token",
        default="",
        help="with --rasa-url: the REST channel's token (default: REST_TOKEN, else .env's)",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.users.split(",") if x.strip()]
    try:
        pacings = tuple(Pacing.parse(x) for x in args.think.split(",") if x.strip())
    except ValueError as exc:
        parser.error(str(exc))

    meta: dict[str, Any] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": str(
            args.model.relative_to(ROOT) if args.model.is_relative_to(ROOT) else args.model
        ),
        "machine": machine(),
        "turns_per_user": args.turns,
        "varieties": list(VARIETIES),
    }
    if args.rasa_url:
        url = f"{args.rasa_url.rstrip('/')}/webhooks/rest/webhook"
        token = args.token or rest_token()
        if not token:
            parser.error("no REST token: pass --token, or set REST_TOKEN (`make setup` writes one)")
        scenarios = asyncio.run(
            bench(url, levels, args.turns, args.timeout, args.budget, pacings, token)
        )
        meta["servers"] = f"already running at {args.rasa_url}"
    else:
        scenarios, meta["servers"] = run_with_servers(args, levels, pacings)

    results = [(reports, target_verdict(reports)) for reports in scenarios]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "e2e.json").write_text(
        json.dumps(
            {
                **meta,
                "scenarios": [
                    {
                        "pacing": reports[0].scenario,
                        "target": verdict,
                        "levels": [asdict(r) for r in reports],
                    }
                    for reports, verdict in results
                    if reports
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    (args.out / "e2e.md").write_text(
        markdown([(r, v) for r, v in results if r], meta), encoding="utf-8"
    )
    print()
    for reports, verdict in results:
        if reports:
            print(f"{reports[0].scenario}:")
            print(table(reports))
            print(f"Target (issue 4): {verdict_line(verdict)}")
            print()
    print(f"wrote {args.out / 'e2e.md'} and {args.out / 'e2e.json'}")
    all_correct = all(
        r.correct == r.users * r.turns_per_user for reports in scenarios for r in reports
    )
    return 0 if all_correct else 1


if __name__ == "__main__":
    raise SystemExit(main())
