"""Start the real action server and Rasa server on free ports of 127.0.0.1, for end-to-end
tests: `python -m actions` and `rasa run`, each with its secret (REST_TOKEN for the REST
channel, ACTION_SERVER_TOKEN between the two), as scripts/serve.sh starts them."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.support.project import CHANNEL_VARIABLES, ROOT, free_port

VENV_BIN = Path(sys.executable).parent
#: Where the servers listen (and nowhere else).
HOST = "127.0.0.1"
#: The largest body the Rasa server reads (scripts/serve.sh sets the same).
RASA_MAX_BODY = 1024 * 1024


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 60) -> tuple[int, bytes]:
    """POST ``body`` to ``url``: (HTTP status, the answer's body), errors included."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


@dataclass
class Servers:
    """Addresses and secrets of the running servers."""

    rasa_url: str
    actions_url: str
    #: Process id of `rasa run` (its Sanic workers, if several, are its children).
    rasa_pid: int = 0
    #: The REST channel's bearer token (REST_TOKEN) and the action server's (ACTION_SERVER_TOKEN).
    rest_token: str = ""
    action_token: str = ""

    @property
    def rest_headers(self) -> dict[str, str]:
        """What every REST client sends: the JSON content type and the bearer token."""
        return {"Content-Type": "application/json", "Authorization": f"Bearer {self.rest_token}"}

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """Post one message to the REST channel and return the bot's replies."""
        body = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=json.dumps(body).encode(),
            headers=self.rest_headers,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def post_rest(
        self, body: bytes, headers: dict[str, str] | None = None, query: str = ""
    ) -> tuple[int, bytes]:
        """POST a raw body to the REST channel (with the token unless ``headers`` are given)."""
        url = f"{self.rasa_url}/webhooks/rest/webhook{query}"
        return post(url, body, self.rest_headers if headers is None else headers)

    def post_action(self, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """POST a raw body to the action server (with its secret unless ``headers`` are given)."""
        sent = {"Content-Type": "application/json", "Authorization": f"Bearer {self.action_token}"}
        return post(f"{self.actions_url}/webhook", body, sent if headers is None else headers)


@contextmanager
def running_servers(
    model: Path,
    workdir: Path,
    env: dict[str, str],
    credentials: Path | None = None,
    endpoints: Path | None = None,
) -> Iterator[Servers]:
    """Run both servers (tracker store in the work directory) until the block ends.

    ``credentials`` replaces the project's credentials.yml (e.g. to turn a channel on);
    ``endpoints`` its endpoints.yml (e.g. endpoints.production.yml, whose settings ``env``
    then gives). REST_TOKEN and ACTION_SERVER_TOKEN are new random ones unless ``env`` sets
    them; ``Servers`` carries them.
    """
    rasa_port, actions_port = free_port(), free_port()
    # The project's own endpoints files, so their ${...} settings are exercised too.
    endpoints = endpoints or ROOT / "endpoints.yml"
    full_env = {
        **{name: "" for name in CHANNEL_VARIABLES},
        **os.environ,
        "REST_TOKEN": secrets.token_urlsafe(32),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
        "SANIC_REQUEST_MAX_SIZE": str(RASA_MAX_BODY),
        **env,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "ACTIONS_HOST": HOST,
        "ACTIONS_PORT": str(actions_port),
        "ACTION_ENDPOINT_URL": f"http://{HOST}:{actions_port}/webhook",
        "TRACKER_DB": str(workdir / "tracker.db"),
    }
    actions_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with actions_log.open("wb") as alog, rasa_log.open("wb") as rlog:
            actions = subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "actions"],
                cwd=ROOT,
                env=full_env,
                stdout=alog,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            procs.append(actions)
            rasa = subprocess.Popen(
                [
                    str(VENV_BIN / "rasa"),
                    "run",
                    "--model",
                    str(model),
                    "--endpoints",
                    str(endpoints),
                    "--credentials",
                    str(credentials or ROOT / "credentials.yml"),
                    "--interface",
                    HOST,
                    "--port",
                    str(rasa_port),
                ],
                cwd=ROOT,
                env=full_env,
                stdout=rlog,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its Sanic workers are stopped with it (_stop)
            )
            procs.append(rasa)
        _wait(f"http://{HOST}:{actions_port}/health", actions, actions_log, 60)
        # Loading the model takes a minute on 2 idle cores, several when they are busy.
        _wait(f"http://{HOST}:{rasa_port}/", rasa, rasa_log, 420)
        yield Servers(
            f"http://{HOST}:{rasa_port}",
            f"http://{HOST}:{actions_port}",
            rasa.pid,
            full_env["REST_TOKEN"],
            full_env["ACTION_SERVER_TOKEN"],
        )
    finally:
        _stop(procs)


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send ``sig`` to the process and to every process it started (its own session)."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop the servers and their children: SIGTERM, 20 s to finish, then SIGKILL to whatever
    of their process groups is left (a Rasa server's Sanic workers outlive a killed main
    process, each holding a loaded model)."""
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    for proc in procs:
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
    for proc in procs:
        _signal_group(proc, signal.SIGKILL)
        proc.wait()
