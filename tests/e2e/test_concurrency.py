"""Several users, and one user's messages, at the same time, on both stacks.

On the production stack (endpoints.production.yml) the two Sanic workers share the work, and
only the Redis lock keeps one user's messages in one sequence; on the SQLite stack one process
does it all with Rasa's in-memory lock.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psutil
import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.model

GREETINGS = {
    "fr": ("bonjour", "Bonjour"),
    "ar": ("السلام عليكم", "مرحبا"),
    "en": ("hello", "Hello"),
}


def test_the_stack_runs_its_number_of_workers(stack: Stack) -> None:
    rasa = psutil.Process(stack.servers.rasa_pid)
    # Sanic forks its workers from the `rasa run` process: same command line, child processes.
    workers = [p for p in rasa.children() if p.cmdline() == rasa.cmdline()]
    # SANIC_WORKERS=2 on the production stack; one process with Rasa's in-memory lock store.
    assert len(workers) == (2 if stack.name == "production" else 0), rasa.children()
    assert "Traceback" not in (stack.workdir / "rasa.log").read_text(errors="replace")


def test_many_users_at_once_each_get_their_own_answer(stack: Stack) -> None:
    users = [(f"many-{stack.name}-{i}", *GREETINGS[("fr", "ar", "en")[i % 3]]) for i in range(24)]

    def talk(user: tuple[str, str, str]) -> tuple[str, list[dict[str, Any]]]:
        sender, message, _ = user
        return sender, stack.servers.send(sender, message)

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = dict(pool.map(talk, users))
    for sender, _, expected in users:
        replies = answers[sender]
        assert replies, sender
        assert all(r["recipient_id"] == sender for r in replies)
        assert expected in " ".join(r.get("text", "") for r in replies), (sender, replies)


def test_one_users_messages_sent_together_are_all_kept(stack: Stack) -> None:
    sender = f"burst-{stack.name}"
    messages = ["bonjour", "c'est quoi tijaria ?", "qui est le délégué ASMEX à Agadir ?", "merci"]
    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        replies = list(pool.map(lambda m: stack.servers.send(sender, m), messages))
    assert all(replies), replies
    # Each message was handled under the conversation's lock: every one is stored exactly
    # once, none lost to a concurrent save of the same conversation.
    said = [e.get("text") for e in stack.stored_events(sender) if e.get("event") == "user"]
    assert sorted(said) == sorted(messages), said
    answered = [e for e in stack.stored_events(sender) if e.get("event") == "bot"]
    assert len(answered) >= len(messages)
