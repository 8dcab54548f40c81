"""The whole stack killed with SIGKILL while a dozen Telegram messages are in flight, then
started again: every message is answered, and none twice.

On each stack: SQLite with Telegram polling (`make run`'s configuration: the polling offset of
the dozen is confirmed to Telegram before the kill, so only the database still has them), and
PostgreSQL + Redis with two Sanic workers and Telegram's webhook (Telegram then delivers again
the updates it got no 200 for; all twelve are delivered again, answered ones included).

The fake Bot API accepts a few replies after the dozen arrive and holds every later one: when
the servers are killed, some members got their whole answer, some part of it (a list of
events is several messages), some nothing. Each message's replies are compared with those a
control member got for the same message before the crash (one variation per language in the
domain: the same text).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from bot.channels.telegram import SECRET_HEADER
from tests.e2e.conftest import E2E_TODAY, TELEGRAM_PUBLIC_URL, TELEGRAM_SECRET
from tests.e2e.crash import (
    ThreadedHoldingTelegram,
    holding_telegram_in_thread,
    inbound_statuses,
    kill_stack,
    parts_recorded,
    post_json,
)
from tests.e2e.servers import ROOT, Servers, running_servers
from tests.e2e.stack import PRODUCTION_ENDPOINTS, prepare_database, production_stack
from tests.support.fake_telegram import TOKEN, message_update

pytestmark = pytest.mark.model

#: What the members write (text, Telegram language): a greeting, and lists of events.
MESSAGES = (
    ("bonjour", "fr"),
    ("quelles sont les prochaines missions en Afrique ?", "fr"),
    ("واش كاينة شي بعثة فإفريقيا؟", "ar"),
    ("ما هي البعثات القادمة؟", "ar"),
)
IN_FLIGHT = 12
#: Replies Telegram accepts once the dozen arrived; every later one is held until the kill.
ACCEPTED_BEFORE_THE_KILL = 5
CONTROL_USERS, USERS = 9_300_000, 9_400_000


@dataclass
class Deployment:
    """How one stack is started: its environment, endpoints file and Telegram mode."""

    name: str
    env: dict[str, str]
    endpoints: Path | None
    database_url: str
    workdir: Path
    telegram: ThreadedHoldingTelegram

    @property
    def webhook(self) -> bool:
        return self.env.get("TELEGRAM_MODE") == "webhook"

    def post(self, servers: Servers, update: dict[str, Any]) -> int:
        """Deliver an update to the webhook as Telegram does; the HTTP status (0: no answer)."""
        path = urlparse(TELEGRAM_PUBLIC_URL).path
        headers = {"Content-Type": "application/json", SECRET_HEADER: TELEGRAM_SECRET}
        return post_json(servers.rasa_url + path, json.dumps(update).encode(), headers, 120)

    def deliver(self, servers: Servers, updates: list[dict[str, Any]]) -> list[threading.Thread]:
        """Hand the updates to the servers: Telegram's queue (polling) or its webhook calls,
        all at once, each in a thread of its own."""
        if not self.webhook:
            self.telegram.push(*updates)
            return []
        threads = [
            threading.Thread(target=self.post, args=(servers, update), daemon=True)
            for update in updates
        ]
        for thread in threads:
            thread.start()
        return threads


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def received(telegram: ThreadedHoldingTelegram, chat: int) -> list[str]:
    """What one member received, in order: texts, and documents by file name."""
    found = []
    for call in telegram.replies():
        if call.chat_id != chat:
            continue
        if call.method == "sendMessage":
            found.append(str(call.params["text"]))
        else:
            found.append(f"[{call.method}] {next(iter(call.files.values()), ('?',))[0]}")
    return found


@pytest.fixture(params=["sqlite", "production"])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    workdir = tmp_path_factory.mktemp(f"crash-{request.param}")
    with ExitStack() as running:
        telegram = running.enter_context(holding_telegram_in_thread())
        env = {
            "ASMEX_TODAY": E2E_TODAY,
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": telegram.base_url,
        }
        endpoints = None
        if request.param == "sqlite":
            database_url = f"sqlite:///{workdir / 'kb.db'}"
            prepare_database(database_url)
            env["DATABASE_URL"] = database_url
        else:
            production = running.enter_context(production_stack(workers=2))
            database_url = production.database_url
            env |= production.env | {
                "TELEGRAM_MODE": "webhook",
                "TELEGRAM_WEBHOOK_URL": TELEGRAM_PUBLIC_URL,
                "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            }
            endpoints = ROOT / PRODUCTION_ENDPOINTS
        yield Deployment(request.param, env, endpoints, database_url, workdir, telegram)


def test_sigkill_with_a_dozen_messages_in_flight(
    deployment: Deployment, trained_model: Path
) -> None:
    telegram, db = deployment.telegram, deployment.database_url
    controls = [
        message_update(text, user_id=CONTROL_USERS + n, language_code=lang)
        for n, (text, lang) in enumerate(MESSAGES)
    ]
    dozen = [
        message_update(MESSAGES[n % 4][0], user_id=USERS + n, language_code=MESSAGES[n % 4][1])
        for n in range(IN_FLIGHT)
    ]
    ids = [str(u["update_id"]) for u in dozen]

    def done(updates: list[dict[str, Any]]) -> bool:
        wanted = [str(u["update_id"]) for u in updates]
        statuses = inbound_statuses(db, "telegram", wanted)
        return len(statuses) == len(wanted) and set(statuses.values()) == {"done"}

    with running_servers(
        trained_model, deployment.workdir, deployment.env, endpoints=deployment.endpoints
    ) as first:
        for thread in deployment.deliver(first, controls):
            thread.join(120)
        wait_until(lambda: done(controls), 180, "the control members' answers")
        expected = {
            text: received(telegram, CONTROL_USERS + n) for n, (text, _) in enumerate(MESSAGES)
        }
        assert all(expected.values()), expected
        assert any(len(replies) > 1 for replies in expected.values())  # multi-part answers

        telegram.accept(ACCEPTED_BEFORE_THE_KILL)
        threads = deployment.deliver(first, dozen)
        top = max(u["update_id"] for u in dozen)

        def in_flight() -> bool:
            stored = len(inbound_statuses(db, "telegram", ids)) == IN_FLIGHT
            confirmed = deployment.webhook or any(
                int(c.params.get("offset") or 0) > top for c in telegram.calls_to("getUpdates")
            )
            # Held: no reply is accepted any more, and each accepted one was counted.
            settled = telegram.held > 0 and parts_recorded(db) == len(telegram.replies())
            return stored and confirmed and settled

        wait_until(in_flight, 240, "the dozen stored, some replies accepted, the rest held")
        before = {
            u["message"]["chat"]["id"]: received(telegram, u["message"]["chat"]["id"])
            for u in dozen
        }
        kill_stack(first)
    for thread in threads:
        thread.join(30)
    (deployment.workdir / "rasa.log").rename(deployment.workdir / "rasa-killed.log")
    telegram.release()

    with running_servers(
        trained_model, deployment.workdir, deployment.env, endpoints=deployment.endpoints
    ) as second:
        if deployment.webhook:  # Telegram delivers again what got no 200
            for update in dozen:
                assert deployment.post(second, update) == 200
        wait_until(lambda: done(dozen), 300, "every message of the dozen answered")

    wanted = {u["message"]["chat"]["id"]: expected[u["message"]["text"]] for u in dozen}
    after = {chat: received(telegram, chat) for chat in wanted}
    complete_before = [chat for chat in wanted if before[chat] == wanted[chat]]
    answered_after = [c for c in wanted if before[c] != wanted[c] and after[c] == wanted[c]]
    twice = [
        chat
        for chat in wanted
        if any(n > Counter(wanted[chat])[text] for text, n in Counter(after[chat]).items())
    ]
    counts = {
        "stack": deployment.name,
        "in_flight": IN_FLIGHT,
        "answered_before_the_kill": len(complete_before),
        "partly_answered_at_the_kill": sum(
            1 for c in wanted if 0 < len(before[c]) < len(wanted[c])
        ),
        "answered_after_the_restart": len(answered_after),
        "answered_twice": len(twice),
    }
    (deployment.workdir / "crash-counts.json").write_text(json.dumps(counts))
    print(f"\ncrash test counts: {counts}")
    assert twice == [], {chat: after[chat] for chat in twice}
    assert after == wanted
    assert len(complete_before) < IN_FLIGHT and answered_after  # the kill was mid-flight
