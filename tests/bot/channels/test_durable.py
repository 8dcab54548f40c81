"""Nothing lost, nothing twice: a message is stored before the platform hears it arrived, its
replies are stored before they are sent, and a message answered again (a crash, a platform
down, the database down) repeats nothing the member already received.

The WhatsApp Cloud API channel against a fake Graph API, served as Rasa serves it; a fake
"Rasa" answers from a script, so no trained model is needed. A crash is the process dying: the
job answering a message stops where it is (a BaseException nothing catches), the lease stays,
and another process (another lease owner) takes the message up once the lease is over.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels import inbound as inbound_module
from bot.channels.texts import TEXTS
from bot.channels.whatsapp import WhatsAppInput, WhatsAppOutput
from bot.extensions.fail_closed import TrackerStoreUnavailable
from kb.inbound import Received, store_messages
from kb.migrate import upgrade_to_head
from kb.models import InboundMessage, OutboxReply, utcnow
from kb.session import make_engine
from outbound.whatsapp import WhatsAppSettings
from tests.support.fake_platforms import (
    PHONE_NUMBER_ID,
    FakeApi,
    FakeTrackerStore,
    meta_signature,
    meta_text,
    meta_webhook,
    serve_channel,
)

SECRET = "durable-app-secret"
WA_ID = "212612345678"
OTHER = "212698765432"
PATH = "/webhooks/whatsapp/webhook"
DARIJA = "بغيت نسجل فالبعثة ديال داكار"


class Crash(BaseException):
    """The process dying: nothing catches it."""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("durable") / "template.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture()
def db(migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    path = tmp_path / "kb.db"
    shutil.copy(migrated, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setattr(WhatsAppOutput, "retry_delay", 0.01)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@dataclass
class ScriptedRasa:
    """Rasa's stand-in: answers each text with ``replies`` through the (held) output channel;
    ``fail`` raises after the replies, as Rasa does when it cannot store the turn."""

    replies: list[dict[str, Any]] = field(default_factory=lambda: [{"text": "Bienvenue"}])
    received: list[UserMessage] = field(default_factory=list)
    fail: BaseException | None = None

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        for reply in self.replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))
        if self.fail is not None:
            raise self.fail


@dataclass
class Served:
    channel: WhatsAppInput
    graph: FakeApi
    rasa: ScriptedRasa
    agent: SimpleNamespace
    http: httpx.AsyncClient
    url: str

    async def post(self, *texts: tuple[str, str]) -> httpx.Response:
        """Meta's signed webhook call with (message id, text) messages of WA_ID."""
        body = json.dumps(meta_webhook([meta_text(WA_ID, wamid, t) for wamid, t in texts]))
        headers = {"X-Hub-Signature-256": meta_signature(body.encode(), SECRET)}
        return await self.http.post(self.url + PATH, content=body, headers=headers)

    def bodies(self, to: str = WA_ID) -> list[str]:
        return [m["text"]["body"] for m in self.graph.messages(to) if m.get("type") == "text"]

    async def start(self) -> None:
        """The server's after-start: looks for the messages nobody answers."""
        app = SimpleNamespace(ctx=SimpleNamespace(agent=self.agent))
        await self.channel.start(app)  # type: ignore[arg-type]


def settings(graph: FakeApi) -> WhatsAppSettings:
    return WhatsAppSettings("verify", SECRET, "token", PHONE_NUMBER_ID, f"{graph.url}/v21.0")


@asynccontextmanager
async def serving(agent: SimpleNamespace, rasa: ScriptedRasa) -> AsyncIterator[Served]:
    """A WhatsApp channel (a process of the server) and its fake Graph API."""
    async with FakeApi() as graph:
        channel = WhatsAppInput(settings(graph))
        async with serve_channel(channel, rasa, agent) as url, httpx.AsyncClient() as http:
            yield Served(channel, graph, rasa, agent, http, url)


@pytest.fixture()
def agent() -> SimpleNamespace:
    return SimpleNamespace(tracker_store=FakeTrackerStore())


@pytest.fixture()
async def served(db: Engine, agent: SimpleNamespace) -> AsyncIterator[Served]:
    async with serving(agent, ScriptedRasa()) as running:
        yield running


def rows(engine: Engine) -> list[tuple[str, str, int, str | None]]:
    """(external id, status, attempts, payload) of every stored message, in order."""
    with Session(engine) as session:
        found = session.execute(
            select(
                InboundMessage.external_id,
                InboundMessage.status,
                InboundMessage.attempts,
                InboundMessage.payload,
            ).order_by(InboundMessage.id)
        )
        return [tuple(row) for row in found]  # type: ignore[misc]


def lease_over(engine: Engine) -> None:
    """Every lease ends now: as if their processes had died long enough ago."""
    with Session(engine) as session, session.begin():
        past = utcnow() - timedelta(seconds=1)
        session.execute(
            update(InboundMessage)
            .where(InboundMessage.status == "pending")
            .values(lease_until=past)
        )


def another_process(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Leases taken from now on are another process's."""
    monkeypatch.setattr(inbound_module, "process_owner", lambda: name)


def tracker(sender: str, events: list[Any]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender, events, slots=[TextSlot("language", mappings=[{}])]
    )


async def until(condition: Any, what: str, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


# --- stored before acknowledged -------------------------------------------------------------------


async def test_a_message_is_stored_then_done_once_its_reply_was_sent(
    served: Served, db: Engine
) -> None:
    assert (await served.post(("wamid.1", DARIJA))).status_code == 200
    assert await served.channel.drain(timeout=10)
    assert served.bodies() == ["Bienvenue"]
    [message] = served.rasa.received
    assert (message.text, message.message_id) == (DARIJA, "wamid.1")
    assert rows(db) == [("wamid.1", "done", 1, None)]  # the text is not kept once answered
    with Session(db) as session:
        kept = session.execute(select(OutboxReply.content, OutboxReply.parts_sent)).all()
    assert kept == [(None, 1)]  # what went out is counted, not kept


async def test_a_database_down_is_a_503_and_meta_s_retry_is_answered_once(
    served: Served, db: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    good = str(db.url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/kb.db")
    answer = await served.post(("wamid.1", "bonjour"))
    assert answer.status_code == 503
    assert await served.channel.drain(timeout=10)
    assert served.rasa.received == [] and served.bodies() == []
    monkeypatch.setenv("DATABASE_URL", good)
    for _ in range(2):  # Meta calls again, maybe twice
        assert (await served.post(("wamid.1", "bonjour"))).status_code == 200
        assert await served.channel.drain(timeout=10)
    assert [m.text for m in served.rasa.received] == ["bonjour"]
    assert served.bodies() == ["Bienvenue"]


async def test_a_sender_the_database_cannot_keep_is_dropped_not_a_5xx(
    served: Served, db: Engine
) -> None:
    body = json.dumps(meta_webhook([meta_text("9" * 150, "wamid.long", "salam")]))
    headers = {"X-Hub-Signature-256": meta_signature(body.encode(), SECRET)}
    answer = await served.http.post(served.url + PATH, content=body, headers=headers)
    assert answer.status_code == 200
    assert await served.channel.drain(timeout=10)
    assert served.rasa.received == [] and rows(db) == []


# --- the replies wait for the turn to be stored ---------------------------------------------------


async def test_a_turn_rasa_could_not_store_gets_the_apology_not_its_replies(
    served: Served, db: Engine, agent: SimpleNamespace
) -> None:
    agent.tracker_store.trackers[f"whatsapp:{WA_ID}"] = tracker(WA_ID, [SlotSet("language", "ar")])
    served.rasa.replies = [{"text": "Quel est votre e-mail ?"}]
    served.rasa.fail = TrackerStoreUnavailable("saving failed (OperationalError)")
    await served.post(("wamid.1", "karim@atlas-export.ma"))
    assert await served.channel.drain(timeout=10)
    assert served.bodies() == [TEXTS["error"]["ar"]]
    assert rows(db)[0][1] == "done"  # answered: the member sends it again


# --- answered again: only what was not delivered --------------------------------------------------


async def test_a_part_that_keeps_failing_is_sent_later_and_nothing_twice(
    served: Served, db: Engine
) -> None:
    served.rasa.replies = [{"text": "un"}, {"text": "deux"}, {"text": "trois"}]
    served.graph.queue(200, {"messages": [{"id": "wamid.out.1"}]})
    for _ in range(3):  # "deux": three server errors, the reply's tries
        served.graph.queue(500, {"error": {"code": 1, "message": "unknown error"}})
    await served.post(("wamid.1", "bonjour"))
    assert await served.channel.drain(timeout=10)
    assert served.bodies() == ["un", "deux", "deux", "deux"]
    [(_, status, attempts, payload)] = rows(db)
    assert (status, attempts) == ("pending", 1) and payload is not None

    lease_over(db)  # the retry delay is over
    await served.channel.serve(WA_ID, served.agent)
    assert served.bodies() == ["un", "deux", "deux", "deux", "deux", "trois"]
    assert len(served.rasa.received) == 1  # the turn ran once
    assert rows(db)[0][1:3] == ("done", 2)


async def test_a_crash_mid_delivery_then_another_process_sends_only_the_rest(
    db: Engine, agent: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = [{"text": "un"}, {"text": "deux"}, {"text": "trois"}]
    original = WhatsAppOutput._send
    calls = 0

    async def dies_on_the_second(self: Any, *args: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Crash
        return await original(self, *args)

    another_process(monkeypatch, "first-process")
    monkeypatch.setattr(WhatsAppOutput, "_send", dies_on_the_second)
    async with serving(agent, ScriptedRasa(replies)) as first:  # dies; never stopped
        await first.channel.inbound.store([Received("wamid.1", WA_ID, {"text": "bonjour"})])
        task = first.channel.serve(WA_ID, agent)
        await asyncio.wait([task])
        assert isinstance(task.exception(), Crash)
        assert first.bodies() == ["un"] and rows(db)[0][1] == "pending"

        monkeypatch.setattr(WhatsAppOutput, "_send", original)
        another_process(monkeypatch, "second-process")
        second_rasa = ScriptedRasa(replies)
        async with serving(agent, second_rasa) as second:
            await second.channel.serve(WA_ID, agent)
            assert second.bodies() == []  # the first process's lease still runs
            lease_over(db)
            await second.start()
            await until(lambda: len(second.bodies()) == 2, "the rest of the replies")
            assert await second.channel.drain(timeout=10)
            assert second.bodies() == ["deux", "trois"]
            await second.channel.stop()
        assert first.bodies() == ["un"]
    assert second_rasa.received == []  # the replies were stored: the turn is not run again
    assert rows(db)[0][1:3] == ("done", 2)


async def test_a_turn_rasa_stored_before_the_crash_is_not_run_again(
    served: Served, db: Engine, agent: SimpleNamespace
) -> None:
    with Session(db) as session, session.begin():
        store_messages(
            session,
            channel="whatsapp",
            messages=[Received("wamid.7", WA_ID, {"text": "bonjour", "typed": True})],
            received_at=utcnow(),
        )
        session.execute(update(InboundMessage).values(attempts=1))  # taken by a dead process
    agent.tracker_store.trackers[f"whatsapp:{WA_ID}"] = tracker(
        WA_ID,
        [
            UserUttered("bonjour", {"name": "greet"}, message_id="wamid.7"),
            ActionExecuted("utter_greet"),
            BotUttered("Bonjour, je suis l'assistant de l'ASMEX."),
            BotUttered(
                "Que cherchez-vous ?", {"buttons": [{"title": "Missions", "payload": "/m"}]}
            ),
            ActionExecuted("action_listen"),
            UserUttered("autre chose", {"name": "other"}, message_id="wamid.8"),
            BotUttered("une autre réponse"),
        ],
    )
    await served.channel.serve(WA_ID, agent)
    assert served.rasa.received == []
    sent = served.graph.messages(WA_ID)
    assert sent[0]["text"]["body"] == "Bonjour, je suis l'assistant de l'ASMEX."
    assert sent[1]["type"] == "interactive" and len(sent) == 2
    assert rows(db)[0][1] == "done"


async def test_a_turn_not_stored_before_the_crash_is_run(served: Served, db: Engine) -> None:
    with Session(db) as session, session.begin():
        store_messages(
            session,
            channel="whatsapp",
            messages=[Received("wamid.7", WA_ID, {"text": DARIJA, "typed": True})],
            received_at=utcnow(),
        )
        session.execute(update(InboundMessage).values(attempts=1))
    await served.channel.serve(WA_ID, served.agent)
    assert [m.text for m in served.rasa.received] == [DARIJA]
    assert served.bodies() == ["Bienvenue"]


# --- on start, what nobody answered ---------------------------------------------------------------


async def test_on_start_the_messages_left_waiting_are_answered_each_user_in_order(
    db: Engine, agent: SimpleNamespace
) -> None:
    waiting = [
        Received("wamid.1", WA_ID, {"text": "un", "typed": True}),
        Received("wamid.2", OTHER, {"text": "واحد", "typed": True}),
        Received("wamid.3", WA_ID, {"text": "deux", "typed": True}),
        Received("wamid.4", WA_ID, {"text": None, "typed": True}),  # a photo
    ]
    with Session(db) as session, session.begin():
        store_messages(session, channel="whatsapp", messages=waiting, received_at=utcnow())
    rasa = ScriptedRasa([])
    async with serving(agent, rasa) as running:
        rasa.replies = []
        await running.start()
        await until(lambda: len(running.graph.messages(WA_ID)) == 1, "the photo's notice")
        assert await running.channel.drain(timeout=10)
        await running.channel.stop()
    mine = [m.text for m in rasa.received if m.sender_id == f"whatsapp:{WA_ID}"]
    assert mine == ["un", "deux"]
    assert [m.text for m in rasa.received if m.sender_id == f"whatsapp:{OTHER}"] == ["واحد"]
    notice = running.graph.messages(WA_ID)[0]["text"]["body"]
    assert TEXTS["unsupported"]["ar"] in notice  # language unknown: all three
    assert {status for _, status, _, _ in rows(db)} == {"done"}
