"""Fixtures for tests that need the trained model and the running servers.

Tests that take `servers` (or `stack`) run twice, once per stack:
- sqlite: `make run`'s configuration (endpoints.yml: SQLite knowledge base and tracker store,
  one Rasa process);
- production: endpoints.production.yml, with the PostgreSQL and Redis servers of
  tests/e2e/stack.py: knowledge base and conversations in PostgreSQL, one lock per conversation
  in Redis, two Sanic workers (SANIC_WORKERS=2).
Both have the WhatsApp Cloud API and Twilio channels on, replying to local fakes of the Graph
API and of Twilio's REST API (tests/e2e/fake_platforms.py), and Telegram in webhook mode,
replying to a fake Bot API (tests/bot/fake_telegram.py): one set of fakes per stack, all
configured through the project's credentials.yml and its environment variables.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from core.identity import conversation_id, split_conversation_id
from kb.session import make_engine
from tests.e2e.servers import ROOT, Servers, running_servers
from tests.e2e.stack import PRODUCTION_ENDPOINTS, prepare_database, production_stack
from tests.support.fake_platforms import PHONE_NUMBER_ID, FakeApi
from tests.support.fake_telegram import TOKEN, ThreadedFakeTelegram, fake_telegram_in_thread

#: The date the servers take as today (sample events of data/kb are upcoming then).
E2E_TODAY = "2026-11-22"
#: The WhatsApp channels' secrets and public addresses in the end-to-end servers.
WHATSAPP_APP_SECRET = "e2e-app-secret"
TWILIO_TOKEN = "e2e-twilio-auth-token"
TWILIO_PUBLIC_URL = "https://asmex.example/webhooks/twilio_whatsapp/webhook"
#: The Telegram channel's webhook secret and public address in the end-to-end servers.
TELEGRAM_SECRET = "e2e-webhook-secret_0123456789abcdef"
TELEGRAM_PUBLIC_URL = "https://asmex.example.org/webhooks/telegram/webhook"
#: The console channel's token on the servers the tests start (bot.channels.console).
CONSOLE_RASA_TOKEN = "e2e-console-rasa-token_0123456789abcdef"


def whatsapp_env(graph: FakeApi, twilio: FakeApi) -> dict[str, str]:
    """Settings that turn both WhatsApp channels on, replying to these fakes."""
    return {
        "WHATSAPP_VERIFY_TOKEN": "e2e-verify",
        "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": "e2e-access-token",
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_URL": f"{graph.url}/v21.0",
        "TWILIO_ACCOUNT_SID": "AC" + "e" * 32,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": "+14155238886",
        "TWILIO_WEBHOOK_URL": TWILIO_PUBLIC_URL,
        "TWILIO_API_URL": twilio.url,
    }


def telegram_env(telegram: ThreadedFakeTelegram) -> dict[str, str]:
    """Settings that turn the Telegram channel on in webhook mode, calling this fake."""
    return {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_MODE": "webhook",
        "TELEGRAM_WEBHOOK_URL": TELEGRAM_PUBLIC_URL,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_BASE_URL": telegram.base_url,
    }


@dataclass(frozen=True)
class Stack:
    """Running servers, and where they keep the knowledge base and the conversations."""

    name: str
    servers: Servers
    #: SQLAlchemy URLs of the knowledge base (actions) and of the tracker store (Rasa).
    database_url: str
    tracker_url: str
    workdir: Path
    #: The fake Graph API and Twilio REST API this stack's WhatsApp channels reply to.
    graph: FakeApi
    twilio: FakeApi
    #: The fake Bot API this stack's Telegram channel (webhook mode) calls.
    telegram: ThreadedFakeTelegram
    #: Rasa server processes (Sanic workers) serving the channels.
    workers: int

    def _stored(self, sender: str) -> list[str]:
        """The stored events' data of a conversation: ``sender`` is a conversation id
        (``telegram:42``) or a REST client's sender (``rest:`` is then added)."""
        if split_conversation_id(sender) is None:
            sender = conversation_id("rest", sender)
        engine = create_engine(self.tracker_url, future=True)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"),
                    {"sender": sender},
                ).all()
        finally:
            engine.dispose()
        return [str(row[0]) for row in rows]

    def stored_conversation(self, sender: str) -> str:
        """Every event the tracker store holds for ``sender``, as one string."""
        return "\n".join(self._stored(sender))

    def stored_events(self, sender: str) -> list[dict[str, Any]]:
        """The events the tracker store holds for ``sender``, in order."""
        return [json.loads(data) for data in self._stored(sender)]


STACKS = ("sqlite", "production")


@pytest.fixture(scope="session", params=STACKS)
def stack(
    request: pytest.FixtureRequest, trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Action server + Rasa server over a fresh knowledge base, on each stack in turn."""
    workdir = tmp_path_factory.mktemp(f"servers-{request.param}")
    with ExitStack() as running:
        graph = running.enter_context(FakeApi().in_thread())
        twilio = running.enter_context(FakeApi().in_thread())
        telegram = running.enter_context(fake_telegram_in_thread())
        env = {
            "ASMEX_TODAY": E2E_TODAY,
            **whatsapp_env(graph, twilio),
            **telegram_env(telegram),
            "CONSOLE_RASA_TOKEN": CONSOLE_RASA_TOKEN,
        }
        endpoints, workers = None, 1
        if request.param == "sqlite":
            database_url = f"sqlite:///{workdir / 'kb.db'}"
            tracker_url = f"sqlite:///{workdir / 'tracker.db'}"
            prepare_database(database_url)
            env["DATABASE_URL"] = database_url
        else:
            workers = 2
            production = running.enter_context(production_stack(workers=workers))
            database_url, tracker_url = production.database_url, production.tracker_url
            env.update(production.env)
            endpoints = ROOT / PRODUCTION_ENDPOINTS
        servers = running.enter_context(
            running_servers(trained_model, workdir, env, endpoints=endpoints)
        )
        yield Stack(
            request.param,
            servers,
            database_url,
            tracker_url,
            workdir,
            graph,
            twilio,
            telegram,
            workers,
        )


@pytest.fixture(scope="session")
def servers(stack: Stack) -> Servers:
    """The running servers of the current stack."""
    return stack.servers


@pytest.fixture(scope="session")
def e2e_database_url(stack: Stack) -> str:
    """URL of the knowledge base the action server uses (migrated, data/kb loaded)."""
    return stack.database_url


@pytest.fixture(scope="module")
def database(e2e_database_url: str) -> Iterator[Any]:
    """An engine on the database the action server writes to."""
    engine = make_engine(e2e_database_url)
    yield engine
    engine.dispose()
