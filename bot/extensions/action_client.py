"""Keep the Rasa server's HTTP connections to the action server open between calls.

Rasa 3.6's ``EndpointConfig.request`` opens a new ``aiohttp.ClientSession`` for every call: a
new connector, a DNS lookup of the host (in a thread) and a new TCP connection, then closes it.
Each turn calls the action server once or twice (the ``action_set_language`` slot mapping, then
the answering action), which costs both servers CPU on every turn (measured in
docs/benchmarks.md, profile 5). ``install()`` makes ``EndpointConfig.session()`` lend one
session per endpoint and event loop, which keeps its connections alive between calls;
``request`` itself is Rasa's, unchanged (same headers, parameters, timeouts and errors).

A kept-alive connection is not reused after ``KEEPALIVE_SECONDS`` idle, below the 5 s after
which the action server (Sanic) closes an idle one, so a call never races the server's close.
A closed session (its loop ended) is replaced by a new one on the next call.

Installed by ``bot.extensions.install()``.
"""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType
from typing import Final

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig

#: Idle seconds after which a kept-alive connection is closed rather than reused; Sanic's
#: KEEP_ALIVE_TIMEOUT (the action server's) is 5.
KEEPALIVE_SECONDS: Final = 2.0

#: Attribute of an EndpointConfig holding its sessions, one per event loop. (EndpointConfig
#: defines ``__eq__`` without ``__hash__``, so it cannot key a dictionary.)
_SESSIONS: Final = "_asmex_sessions"
#: Every lent session, by event loop, for close_sessions(). Weak: a loop that ended, or a
#: session whose endpoint is gone, drops out.
_by_loop: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, weakref.WeakSet[aiohttp.ClientSession]
] = weakref.WeakKeyDictionary()


class _Lent:
    """``async with`` yields the shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


def _new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session for ``endpoint`` (headers, basic auth, timeout), on a kept-alive connector."""
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
    )


def lent_session(endpoint: EndpointConfig) -> _Lent:
    """``EndpointConfig.session()``: this endpoint's open session for the running loop."""
    loop = asyncio.get_running_loop()
    per_loop = endpoint.__dict__.get(_SESSIONS)
    if per_loop is None:
        per_loop = endpoint.__dict__[_SESSIONS] = weakref.WeakKeyDictionary()
    session = per_loop.get(loop)
    if session is None or session.closed:
        session = per_loop[loop] = _new_session(endpoint)
        _by_loop.setdefault(loop, weakref.WeakSet()).add(session)
    return _Lent(session)


async def close_sessions() -> None:
    """Close the sessions of the running loop (a server shutting down, a test's end)."""
    for session in list(_by_loop.pop(asyncio.get_running_loop(), ())):
        await session.close()


def install() -> None:
    """Make EndpointConfig lend kept-alive sessions (idempotent)."""
    EndpointConfig.session = lent_session  # type: ignore[assignment,method-assign]
