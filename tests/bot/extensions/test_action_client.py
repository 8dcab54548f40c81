"""The Rasa server's calls to the action server reuse one kept-alive connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import bot.extensions.tracker_store  # noqa: F401 - importing it installs the sessions, as in `rasa run`
from bot.extensions import action_client


@dataclass
class FakeActionServer:
    """An aiohttp server on 127.0.0.1 that records each call's connection, headers and query."""

    url: str = ""
    connections: list[object] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200

    async def handle(self, request: web.Request) -> web.Response:
        self.connections.append(request.transport)
        self.calls.append(
            {
                "headers": dict(request.headers),
                "query": dict(request.query),
                "json": await request.json(),
            }
        )
        if self.status != 200:
            return web.Response(status=self.status, text="boom")
        return web.json_response({"events": [], "responses": [{"text": "ok"}]})


@pytest.fixture()
async def server() -> AsyncIterator[FakeActionServer]:
    fake = FakeActionServer()
    app = web.Application()
    app.router.add_post("/webhook", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}/webhook"
    yield fake
    await action_client.close_sessions()
    await runner.cleanup()


def _distinct(items: list[object]) -> int:
    return len({id(item) for item in items})


async def test_calls_share_one_connection(server: FakeActionServer) -> None:
    endpoint = EndpointConfig(server.url)
    for n in range(3):
        assert await endpoint.request(json={"next_action": f"a{n}"}) == {
            "events": [],
            "responses": [{"text": "ok"}],
        }
    assert [call["json"]["next_action"] for call in server.calls] == ["a0", "a1", "a2"]
    assert _distinct(server.connections) == 1


async def test_rasa_remote_action_goes_through_it(server: FakeActionServer) -> None:
    endpoint = EndpointConfig(server.url)
    for _ in range(2):
        await RemoteAction("action_missions", endpoint).action_endpoint.request(json={})
    assert _distinct(server.connections) == 1


async def test_concurrent_calls_all_get_their_answer(server: FakeActionServer) -> None:
    endpoint = EndpointConfig(server.url)
    answers = await asyncio.gather(*(endpoint.request(json={"n": n}) for n in range(20)))
    assert all(answer == {"events": [], "responses": [{"text": "ok"}]} for answer in answers)
    assert sorted(call["json"]["n"] for call in server.calls) == list(range(20))


async def test_headers_token_and_basic_auth_are_sent_as_rasa_sends_them(
    server: FakeActionServer,
) -> None:
    endpoint = EndpointConfig(
        server.url,
        headers={"X-Asmex": "1"},
        token="s3cret",
        params={"v": "2"},
        basic_auth={"username": "rasa", "password": "pw"},
    )
    await endpoint.request(json={})
    await endpoint.request(json={})
    for call in server.calls:
        assert call["headers"]["X-Asmex"] == "1"
        assert call["headers"]["Content-Type"] == "application/json"
        assert call["headers"]["Authorization"] == "Basic cmFzYTpwdw=="  # rasa:pw
        assert call["query"] == {"v": "2", "token": "s3cret"}


async def test_an_error_status_is_raised_as_rasa_raises_it(server: FakeActionServer) -> None:
    server.status = 500
    endpoint = EndpointConfig(server.url)
    with pytest.raises(ClientResponseError) as caught:
        await endpoint.request(json={})
    assert caught.value.status == 500
    server.status = 200
    assert await endpoint.request(json={}) is not None  # the session is still usable


async def test_a_connection_idle_past_the_keepalive_is_not_reused(
    server: FakeActionServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(action_client, "KEEPALIVE_SECONDS", 0.05)
    endpoint = EndpointConfig(server.url)
    await endpoint.request(json={})
    await asyncio.sleep(0.2)
    await endpoint.request(json={})
    assert _distinct(server.connections) == 2


async def test_the_servers_close_of_an_idle_connection_costs_no_call(
    server: FakeActionServer,
) -> None:
    endpoint = EndpointConfig(server.url)
    await endpoint.request(json={})
    for transport in set(server.connections):  # the server drops the kept-alive connection
        transport.close()  # type: ignore[attr-defined]
    await asyncio.sleep(0.05)
    assert await endpoint.request(json={}) is not None
    assert _distinct(server.connections) == 2


async def test_close_sessions_closes_them_and_the_next_call_opens_a_new_one(
    server: FakeActionServer,
) -> None:
    endpoint = EndpointConfig(server.url)
    async with endpoint.session() as first:
        pass
    assert not first.closed  # lent, not closed by `async with`
    await action_client.close_sessions()
    assert first.closed
    await endpoint.request(json={})
    async with endpoint.session() as second:
        assert second is not first and not second.closed


def test_each_event_loop_gets_its_own_session() -> None:
    """A session is bound to its loop: a new loop (a test, a Sanic worker) gets a new one."""
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook")

    async def lent() -> Any:
        async with endpoint.session() as session:
            await action_client.close_sessions()
            return session

    first, second = asyncio.run(lent()), asyncio.run(lent())
    assert first is not second
