"""The action server (actions/server.py): only Rasa, holding the secret, is served; what it
refuses, and how; Rasa's own client reaches it through endpoints.yml."""

from __future__ import annotations

import json
import logging
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from rasa.utils.endpoints import read_endpoint_config
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection
from sanic import Sanic

from actions.server import CallError, create_action_app, inflate
from tests.support.project import ROOT, free_port

TOKEN = "action-secret-for-the-tests_0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: A small cap, so that the limits are cheap to cross.
LIMIT = 64 * 1024
#: Put in requests that must not come back in answers or logs.
MARKER = "MARKER-4b1d-Samira-0612345678"


class ActionTestEcho(Action):
    """Says the conversation's sender and `language` slot back."""

    def name(self) -> str:
        return "action_test_echo"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=f"{tracker.sender_id} {tracker.get_slot('language')}")
        return []


class ActionTestBroken(Action):
    """Fails with the tracker's text in its error, as a buggy action may."""

    def name(self) -> str:
        return "action_test_broken"

    async def run(self, dispatcher: Any, tracker: Tracker, domain: Any) -> list[Any]:
        raise KeyError(tracker.latest_message.get("text"))


class ActionTestRejects(Action):
    """Rejects its call, as a form's validation does."""

    def name(self) -> str:
        return "action_test_rejects"

    async def run(self, dispatcher: Any, tracker: Tracker, domain: Any) -> list[Any]:
        raise ActionExecutionRejection(self.name(), "not this time")


def call(action: str = "action_test_echo", **tracker: Any) -> dict[str, Any]:
    """An action call as the Rasa server sends it (fields it always sends)."""
    state = {
        "sender_id": "telegram:42",
        "slots": {"language": "ar"},
        "latest_message": {"text": MARKER, "intent": {"name": "greet"}},
        "events": [{"event": "user", "text": MARKER}],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
        **tracker,
    }
    return {"next_action": action, "sender_id": state["sender_id"], "tracker": state,
            "version": "3.6.21"}  # fmt: skip


@dataclass
class Server:
    url: str
    http: httpx.AsyncClient

    async def post(
        self, content: bytes, headers: dict[str, str] | None = None, **extra: str
    ) -> httpx.Response:
        sent = {**(AUTH if headers is None else headers), **extra}
        return await self.http.post(self.url + "/webhook", content=content, headers=sent)


@asynccontextmanager
async def serving(token: str = TOKEN) -> AsyncIterator[Server]:
    """The action server's app on a free port of 127.0.0.1, in this event loop."""
    Sanic.test_mode = True  # several apps of the same name in one process
    app = create_action_app(token, max_call=LIMIT, package=__name__)
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            yield Server(f"http://127.0.0.1:{port}", http)
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()


@pytest.fixture()
async def server() -> AsyncIterator[Server]:
    async with serving() as running:
        yield running


def encoded(data: Any) -> bytes:
    return json.dumps(data).encode()


# --- served --------------------------------------------------------------------------------------


async def test_a_call_with_the_secret_runs_the_action(server: Server) -> None:
    answer = await server.post(encoded(call()))
    assert answer.status_code == 200
    assert answer.json() == {
        "events": [],
        "responses": [
            {
                "text": "telegram:42 ar",
                "buttons": [],
                "elements": [],
                "custom": {},
                "template": None,
                "response": None,
                "image": None,
                "attachment": None,
            }
        ],
    }


async def test_a_deflate_compressed_call_is_inflated(server: Server) -> None:
    answer = await server.post(zlib.compress(encoded(call())), **{"Content-Encoding": "deflate"})
    assert answer.status_code == 200
    assert answer.json()["responses"][0]["text"] == "telegram:42 ar"


async def test_the_health_route_is_open(server: Server) -> None:
    answer = await server.http.get(server.url + "/health")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


async def test_the_actions_are_listed_to_the_secret_holder_only(server: Server) -> None:
    assert (await server.http.get(server.url + "/actions")).status_code == 401
    listed = await server.http.get(server.url + "/actions", headers=AUTH)
    assert {"name": "action_test_echo"} in listed.json()


# --- refused -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {TOKEN}0"},
        {"Authorization": f"Bearer {TOKEN[1:]}"},
        {"Authorization": f"Token {TOKEN}"},
        {"Authorization": TOKEN},
        {"X-Action-Token": TOKEN},
    ],
)
async def test_a_call_without_the_secret_gets_a_401(
    server: Server, headers: dict[str, str]
) -> None:
    answer = await server.post(encoded(call()), headers=headers)
    assert answer.status_code == 401
    assert "ACTION_SERVER_TOKEN" in answer.json()["error"]
    assert MARKER not in answer.text


async def test_an_empty_secret_refuses_every_call() -> None:
    async with serving(token="") as server:
        for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer x"}):
            assert (await server.post(encoded(call()), headers=headers)).status_code == 401


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"", "JSON object"),
        (f'{{"next_action": "action_test_echo", "tracker": "{MARKER}"'.encode(), "JSON object"),
        (f"<xml>{MARKER}</xml>".encode(), "JSON object"),
        (b"\xff\xfe" + MARKER.encode(), "JSON object"),
        (b"[" * 20_000 + b"]" * 20_000, "JSON object"),
        (encoded([MARKER]), "JSON object"),
        (encoded(MARKER), "JSON object"),
        (encoded(None), "JSON object"),
        (encoded({"tracker": {"sender_id": MARKER}}), '"next_action"'),
        (encoded({**call(), "next_action": ""}), '"next_action"'),
        (encoded({**call(), "next_action": [MARKER]}), '"next_action"'),
        (encoded({**call(), "next_action": 7}), '"next_action"'),
        (encoded({"next_action": "action_test_echo"}), '"tracker"'),
        (encoded({**call(), "tracker": MARKER}), '"tracker"'),
        (encoded({**call(), "tracker": [MARKER]}), '"tracker"'),
        (encoded(call(sender_id=None)), '"tracker.sender_id"'),
        (encoded(call(sender_id=42)), '"tracker.sender_id"'),
        (encoded(call(sender_id="")), '"tracker.sender_id"'),
        (encoded(call(slots=[MARKER])), '"tracker.slots"'),
        (encoded(call(slots=MARKER)), '"tracker.slots"'),
        (encoded(call(latest_message=MARKER)), '"tracker.latest_message"'),
        (encoded(call(events=MARKER)), '"tracker.events"'),
        (encoded(call(events={"event": "user"})), '"tracker.events"'),
        (encoded(call(events=[MARKER])), '"tracker.events"'),
        (encoded(call(events=[None])), '"tracker.events"'),
        (encoded(call(paused="no")), '"tracker.paused"'),
        (encoded(call(followup_action=3)), '"tracker.followup_action"'),
        (encoded(call(active_loop=MARKER)), '"tracker.active_loop"'),
        (encoded(call(active_loop=None)), '"tracker.active_loop"'),
        (encoded(call(latest_action_name=["x"])), '"tracker.latest_action_name"'),
        (encoded({**call(), "domain": MARKER}), '"domain"'),
        (encoded({**call(), "domain": None}), '"domain"'),
        (encoded({**call(), "version": 3.6}), '"version"'),
        (encoded({**call(), "sender_id": {"id": MARKER}}), '"sender_id"'),
    ],
)
async def test_a_malformed_call_gets_a_400_that_echoes_nothing(
    server: Server, body: bytes, named: str
) -> None:
    answer = await server.post(body)
    assert answer.status_code == 400
    assert named in answer.json()["error"]
    assert MARKER not in answer.text


async def test_a_body_over_the_cap_gets_a_413(server: Server) -> None:
    big = encoded(call(slots={"language": "ar", "padding": "x" * LIMIT}))
    answer = await server.post(big)
    assert answer.status_code == 413
    assert MARKER not in answer.text


async def test_a_compressed_body_that_inflates_past_the_cap_gets_a_413(server: Server) -> None:
    bomb = zlib.compress(encoded(call(slots={"padding": " " * (50 * LIMIT)})), 9)
    assert len(bomb) < LIMIT
    answer = await server.post(bomb, **{"Content-Encoding": "deflate"})
    assert answer.status_code == 413
    assert "inflate" in answer.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        b"not deflate at all",
        zlib.compress(encoded(call()))[:-8],  # cut short
        zlib.compress(b"\xff\xfe" + MARKER.encode()),  # inflates to what is not JSON
    ],
)
async def test_bad_deflate_data_gets_a_400(server: Server, body: bytes) -> None:
    answer = await server.post(body, **{"Content-Encoding": "deflate"})
    assert answer.status_code == 400
    assert MARKER not in answer.text


async def test_another_encoding_gets_a_415(server: Server) -> None:
    answer = await server.post(encoded(call()), **{"Content-Encoding": "br"})
    assert answer.status_code == 415


def test_a_deflate_bomb_is_never_inflated_whole() -> None:
    packer, parts = zlib.compressobj(9), []
    for _ in range(256):  # 256 MiB of zeros, about 256 KB compressed
        parts.append(packer.compress(bytes(1024 * 1024)))
    bomb = b"".join(parts) + packer.flush()
    tracemalloc.start()
    try:
        with pytest.raises(CallError) as refused:
            inflate(bomb, LIMIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.status == 413
    assert peak < 4 * LIMIT + len(bomb)


def test_a_body_that_inflates_to_exactly_the_cap_is_accepted() -> None:
    data = b"x" * LIMIT
    assert inflate(zlib.compress(data), LIMIT) == data


async def test_an_unknown_action_gets_a_404(server: Server) -> None:
    answer = await server.post(encoded(call("action_nobody_wrote")))
    assert (answer.status_code, answer.json()) == (404, {"error": "unknown action"})


async def test_a_rejection_keeps_rasa_sdks_answer(server: Server) -> None:
    answer = await server.post(encoded(call("action_test_rejects")))
    assert answer.status_code == 400
    assert answer.json() == {"error": "not this time", "action_name": "action_test_rejects"}


async def test_a_failing_action_gets_a_500_without_the_request(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        answer = await server.post(encoded(call("action_test_broken")))
    assert (answer.status_code, answer.json()) == (500, {"error": "internal error"})
    assert MARKER not in answer.text
    logged = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any("KeyError" in r.getMessage() for r in logged)
    assert not any(MARKER in r.getMessage() for r in logged)


@pytest.mark.parametrize(("method", "path"), [("GET", "/webhook"), ("GET", f"/{MARKER}")])
async def test_other_routes_answer_json_without_echo(
    server: Server, method: str, path: str
) -> None:
    answer = await server.http.request(method, server.url + path, headers=AUTH)
    assert answer.status_code in (404, 405)
    assert MARKER not in answer.text and answer.json()["error"]


# --- Rasa's client, configured by the project's endpoints files ----------------------------------


@pytest.mark.parametrize("endpoints", ["endpoints.yml", "endpoints.production.yml"])
@pytest.mark.parametrize("compress", [False, True])
async def test_rasas_endpoint_config_sends_the_secret(
    server: Server, monkeypatch: pytest.MonkeyPatch, endpoints: str, compress: bool
) -> None:
    for name in ("TRACKER_DB", "TRACKER_DB_HOST", "TRACKER_DB_NAME", "TRACKER_DB_USER"):
        monkeypatch.setenv(name, "unused")
    for name in ("TRACKER_DB_PORT", "REDIS_PORT"):
        monkeypatch.setenv(name, "1")
    for name in ("TRACKER_DB_PASSWORD", "REDIS_HOST", "REDIS_PASSWORD"):
        monkeypatch.setenv(name, "unused")
    monkeypatch.setenv("ACTION_ENDPOINT_URL", server.url + "/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    endpoint = read_endpoint_config(str(ROOT / endpoints), "action_endpoint")
    assert endpoint is not None
    assert endpoint.headers == AUTH  # "Bearer ${ACTION_SERVER_TOKEN}" expanded
    result = await endpoint.request(json=call(), method="post", compress=compress)
    assert result["responses"][0]["text"] == "telegram:42 ar"

    monkeypatch.setenv("ACTION_SERVER_TOKEN", "another-secret")
    stale = read_endpoint_config(str(ROOT / endpoints), "action_endpoint")
    assert stale is not None
    with pytest.raises(Exception, match="401"):
        await stale.request(json=call(), method="post", compress=compress)
