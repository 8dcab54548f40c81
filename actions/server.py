"""The action server: rasa-sdk's executor behind the shared secret, with its input checked.

``python -m actions`` runs it (actions/__main__.py) on ACTIONS_HOST:ACTIONS_PORT (127.0.0.1:5055
unless set), instead of ``python -m rasa_sdk``, which serves anyone on every interface. Here:

- ``POST /webhook`` and ``GET /actions`` need ``Authorization: Bearer <ACTION_SERVER_TOKEN>``
  (compared in constant time), which the Rasa server sends through ``headers:`` of
  ``action_endpoint`` in endpoints.yml; 401 otherwise. ``GET /health`` stays open;
- a body over MAX_CALL bytes gets a 413, and so does a deflate-compressed one (Rasa's
  COMPRESS_ACTION_SERVER_REQUEST) that inflates past it: it is inflated at most MAX_CALL + 1
  bytes, never whole; another Content-Encoding gets a 415;
- a body that is not JSON, or not an action call (``next_action``, ``tracker`` and the
  tracker's fields of the wrong type), gets a 400 naming what is wrong and echoing nothing;
- an unknown action gets a 404, an action that rejects its call rasa-sdk's 400 (a form's
  validation), any other error a 500 ``{"error": "internal error"}``, logged without the
  request (rasa-sdk's own handler answers 500 with the request body in it);
- no CORS: only the Rasa server calls it.

rasa-sdk imports every module of the ``actions`` package at start: this one defines no action
and builds nothing at import.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import sys
import zlib
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any, Final

from rasa_sdk import utils as sdk_utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from core import settings

logger = logging.getLogger(__name__)

#: Largest action call accepted, as sent and once inflated (a long session's tracker with the
#: domain is well under 1 MB).
MAX_CALL: Final = 8 * 1024 * 1024
#: The package whose actions are served.
ACTIONS_PACKAGE: Final = "actions"

Handler = Callable[[Request], Coroutine[Any, Any, HTTPResponse]]

#: Fields of the tracker an action call carries, and the JSON types each may have.
_TRACKER_FIELDS: Final[dict[str, tuple[type, ...]]] = {
    "slots": (dict,),
    "latest_message": (dict, type(None)),
    "events": (list,),
    "paused": (bool,),
    "followup_action": (str, type(None)),
    "active_loop": (dict,),
    "active_form": (dict,),
    "latest_action_name": (str, type(None)),
}


class CallError(ValueError):
    """A request refused before any action runs; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def error(status: int, message: str) -> HTTPResponse:
    """``{"error": message}`` with ``status``."""
    return response.json({"error": message}, status=status)


def authorized(header: str | None, token: str) -> bool:
    """True when ``header`` is ``Bearer <token>`` (constant-time); never for an empty token."""
    scheme, _, presented = (header or "").strip().partition(" ")
    presented = presented.strip()
    if not token or scheme.lower() != "bearer" or not presented:
        return False
    return hmac.compare_digest(
        presented.encode("utf-8", "surrogatepass"), token.encode("utf-8", "surrogatepass")
    )


def inflate(body: bytes, limit: int) -> bytes:
    """A deflate (zlib) body inflated, at most ``limit`` bytes; CallError 413 past it, 400 for
    data that is not a complete deflate stream."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise CallError(400, "the body is not valid deflate data") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise CallError(413, f"the body must inflate to at most {limit} bytes")
    if not inflater.eof:
        raise CallError(400, "the body is not valid deflate data")
    return data


def decoded_body(request: Request, limit: int) -> bytes:
    """The request's body, inflated when it says ``Content-Encoding: deflate``."""
    body = request.body or b""
    if len(body) > limit:
        raise CallError(413, f"the body must be at most {limit} bytes")
    encoding = (request.headers.get("content-encoding") or "identity").strip().lower()
    if encoding == "deflate":
        return inflate(body, limit)
    if encoding != "identity":
        raise CallError(415, "Content-Encoding must be deflate or none")
    return body


def _check_tracker(tracker: Any) -> None:
    if not isinstance(tracker, dict):
        raise CallError(400, '"tracker" must be an object')
    sender = tracker.get("sender_id")
    if not isinstance(sender, str) or not sender:
        raise CallError(400, '"tracker.sender_id" must be a non-empty string')
    for name, types in _TRACKER_FIELDS.items():
        if name in tracker and not isinstance(tracker[name], types):
            raise CallError(400, f'"tracker.{name}" has the wrong type')
    if not all(isinstance(event, dict) for event in tracker.get("events", [])):
        raise CallError(400, '"tracker.events" must be a list of objects')


def read_call(body: bytes) -> dict[str, Any]:
    """The action call in ``body``; CallError 400 naming the field that is wrong."""
    try:
        call = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise CallError(400, "the body must be a JSON object") from None
    if not isinstance(call, dict):
        raise CallError(400, "the body must be a JSON object")
    action = call.get("next_action")
    if not isinstance(action, str) or not action:
        raise CallError(400, '"next_action" must be a non-empty string')
    _check_tracker(call.get("tracker"))
    if "domain" in call and not isinstance(call["domain"], dict):
        raise CallError(400, '"domain" must be an object')
    for name in ("sender_id", "version"):
        if name in call and not isinstance(call[name], str):
            raise CallError(400, f'"{name}" must be a string')
    return call


async def run_call(executor: ActionExecutor, call: dict[str, Any]) -> HTTPResponse:
    """Run the action of a checked call: its events and responses, or the error Rasa reads."""
    if isinstance(call.get("version"), str):
        sdk_utils.check_version_compatibility(call["version"])
    try:
        result = await executor.run(call)  # type: ignore[arg-type]
    except ActionExecutionRejection as rejection:
        logger.debug("%s", rejection)
        body = {"error": rejection.message, "action_name": rejection.action_name}
        return response.json(body, status=400)
    except ActionNotFoundException:
        logger.error("no action %r is registered", call["next_action"][:100])
        return error(404, "unknown action")
    return response.json(result, status=200)


async def _unexpected(request: Request, exception: Exception) -> HTTPResponse:
    """Any error a route did not answer: its status, or 500, with nothing of the request."""
    if isinstance(exception, SanicException):
        status = int(getattr(exception, "status_code", 500) or 500)
        return error(status, HTTPStatus(status).phrase)
    logger.error("%s %s failed: %s", request.method, request.path, type(exception).__name__)
    logger.debug("the failure", exc_info=exception)
    return error(500, "internal error")


def create_action_app(
    token: str,
    *,
    max_call: int = MAX_CALL,
    package: str = ACTIONS_PACKAGE,
    name: str = "asmex_actions",
) -> Sanic:
    """The action server's Sanic app, serving the actions of ``package`` to holders of
    ``token`` (an empty token refuses every call)."""
    app = Sanic(name, configure_logging=False)
    # Bodies up to twice the cap are read and answered 413 here; beyond, Sanic answers 413
    # before reading them and closes the connection (a client still sending sees a reset).
    app.config.REQUEST_MAX_SIZE = 2 * max_call
    executor = ActionExecutor()
    executor.register_package(package)

    def guarded(handler: Handler) -> Handler:
        async def checked(request: Request) -> HTTPResponse:
            if not authorized(request.headers.get("authorization"), token):
                return error(401, "Authorization: Bearer <ACTION_SERVER_TOKEN> is required")
            return await handler(request)

        return checked

    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    async def webhook(request: Request) -> HTTPResponse:
        try:
            call = read_call(decoded_body(request, max_call))
        except CallError as refused:
            return error(refused.status, str(refused))
        return await run_call(executor, call)

    async def actions(_: Request) -> HTTPResponse:
        return response.json([{"name": action} for action in executor.actions])

    app.add_route(health, "/health", methods=["GET"], name="health")
    app.add_route(guarded(webhook), "/webhook", methods=["POST"], name="webhook")
    app.add_route(guarded(actions), "/actions", methods=["GET"], name="actions")
    app.error_handler.add(Exception, _unexpected)
    return app


def main(argv: list[str] | None = None) -> int:
    """Serve the actions on ACTIONS_HOST:ACTIONS_PORT until stopped; 2 without a secret."""
    argparse.ArgumentParser(
        prog="python -m actions",
        description="The ASMEX action server (ACTIONS_HOST, ACTIONS_PORT, ACTION_SERVER_TOKEN).",
    ).parse_args(argv)
    current = settings.current()
    try:
        token = settings.check_secret("ACTION_SERVER_TOKEN", current.action_server_token)
    except settings.SettingsError as missing:
        print(f"actions: {missing}; `make setup` writes one into .env", file=sys.stderr)
        return 2
    sdk_utils.configure_colored_logging("INFO")
    app = create_action_app(token)
    logger.info("action server on http://%s:%d", current.actions_host, current.actions_port)
    app.run(
        host=current.actions_host,
        port=current.actions_port,
        workers=sdk_utils.number_of_sanic_workers(),
        access_log=False,
    )
    return 0
