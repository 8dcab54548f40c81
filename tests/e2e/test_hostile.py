"""Hostile input (tests/e2e/hostile.py) against the real servers of the SQLite stack: every
request gets a non-empty list of replies or a clear 4xx, never a 5xx, never an empty answer,
and the servers are alive after."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.hostile import Case, action_call, action_corpus, rest_corpus
from tests.e2e.servers import Servers

pytestmark = [pytest.mark.model, pytest.mark.parametrize("stack", ["sqlite"], indirect=True)]

#: Senders talking at once (each sends its own cases one after the other).
PARALLEL = 6
#: The action server's cap (actions/server.py MAX_CALL).
MAX_CALL = 8 * 1024 * 1024


def replies_of(case: Case, body: bytes) -> list[Any]:
    """The replies in a 200 answer: a JSON list, or one JSON object per line when streamed."""
    if case.query:
        return [json.loads(line) for line in body.decode().splitlines() if line.strip()]
    replies = json.loads(body)
    return replies if isinstance(replies, list) else []


def said_something(reply: Any) -> bool:
    return isinstance(reply, dict) and any(
        reply.get(key) for key in ("text", "buttons", "custom", "image", "attachment")
    )


def problem(case: Case, status: int, body: bytes) -> str | None:
    """What is wrong with an answer, or None."""
    if status != case.expect:
        return f"HTTP {status}, expected {case.expect}: {body[:160]!r}"
    if status != 200:
        return None if body.strip() else "an empty 4xx answer"
    try:
        replies = replies_of(case, body)
    except ValueError:
        return f"not JSON: {body[:160]!r}"
    if not replies or not any(said_something(r) for r in replies):
        return f"no reply: {body[:160]!r}"
    if case.sender and any(r.get("recipient_id") != case.sender for r in replies):
        return f"a reply to someone else: {body[:160]!r}"
    return None


def headers(case: Case, with_token: dict[str, str]) -> dict[str, str]:
    """The headers ``case`` is sent with: the server's token unless it goes without."""
    base = with_token if case.token else {"Content-Type": "application/json"}
    return {**base, **case.headers}


def send_all(servers: Servers, cases: list[Case]) -> list[tuple[Case, int, bytes]]:
    """Every case, each sender's in order, PARALLEL senders at once."""
    groups: dict[str, list[Case]] = defaultdict(list)
    for index, case in enumerate(cases):
        groups[case.sender or f"misc-{index // 10}"].append(case)

    def run(group: list[Case]) -> list[tuple[Case, int, bytes]]:
        sent = servers.rest_headers
        return [(c, *servers.post_rest(c.body, headers(c, sent), c.query)) for c in group]

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return [answer for answers in pool.map(run, groups.values()) for answer in answers]


def summary(answers: list[tuple[Case, int, bytes]]) -> str:
    by_kind = Counter(case.kind for case, _, _ in answers)
    statuses = Counter(status for _, status, _ in answers)
    return (
        f"{len(answers)} requests; by kind: {dict(by_kind.most_common())}; "
        f"by status: {dict(sorted(statuses.items()))}"
    )


def text_of(replies: list[dict[str, Any]]) -> str:
    return " ".join(str(r.get("text") or "") for r in replies)


def test_hostile_requests_to_the_rest_channel_get_a_reply_or_a_4xx(stack: Stack) -> None:
    servers = stack.servers
    cases = rest_corpus()
    assert len(cases) >= 1000
    started = time.monotonic()
    answers = send_all(servers, cases)
    elapsed = time.monotonic() - started
    print(f"\nREST channel: {summary(answers)}; {elapsed:.0f} s")
    failures = [(c, p) for c, status, body in answers if (p := problem(c, status, body))]
    listed = "\n".join(f"- {c.kind} {c.body[:90]!r}: {p}" for c, p in failures[:60])
    assert not failures, f"{len(failures)} of {len(answers)} answers wrong:\n{listed}"

    # Alive after, and answering as usual, the action server included.
    assert "Bonjour" in text_of(servers.send("after-hostile-fr", "bonjour"))
    assert "مرحبا" in text_of(servers.send("after-hostile-ar", "السلام عليكم"))
    missions = servers.send("after-hostile-missions", "quelles sont les prochaines missions ?")
    assert "EXEMPLE" in text_of(missions), missions
    assert "Traceback" not in (stack.workdir / "actions.log").read_text(errors="replace")


def test_hostile_bodies_to_the_action_server_get_a_clear_4xx(stack: Stack) -> None:
    servers = stack.servers
    cases = action_corpus(MAX_CALL)
    sent = {"Content-Type": "application/json", "Authorization": f"Bearer {servers.action_token}"}
    answers = [(c, *servers.post_action(c.body, headers(c, sent))) for c in cases]
    print(f"\naction server: {summary(answers)}")
    failures = [(c, p) for c, status, body in answers if (p := problem(c, status, body))]
    listed = "\n".join(f"- {c.kind} {c.body[:90]!r}: {p}" for c, p in failures)
    assert not failures, f"{len(failures)} of {len(answers)} answers wrong:\n{listed}"
    echoed = [c for c, status, body in answers if status == 400 and body in c.body]
    assert not echoed

    with urllib.request.urlopen(f"{servers.actions_url}/health", timeout=10) as health:
        assert health.status == 200
    status, body = servers.post_action(json.dumps(action_call()).encode())
    assert status == 200 and "events" in json.loads(body)


def test_the_rest_channel_refuses_a_message_without_the_token(servers: Servers) -> None:
    body = json.dumps({"sender": "no-token", "message": "bonjour"}).encode()
    status, answer = servers.post_rest(body, {"Content-Type": "application/json"})
    assert status == 401 and "REST_TOKEN" in json.loads(answer)["error"]
    status, answer = servers.post_rest(body)
    assert status == 200 and "Bonjour" in text_of(json.loads(answer))


def test_the_action_server_refuses_a_call_without_the_secret(servers: Servers) -> None:
    body = json.dumps(action_call()).encode()
    status, _ = servers.post_action(body, {"Content-Type": "application/json"})
    assert status == 401
