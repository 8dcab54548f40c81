"""Start the real action server and Rasa server on free ports, for end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.support.project import CHANNEL_VARIABLES, ROOT, free_port

VENV_BIN = Path(sys.executable).parent


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


@dataclass
class Servers:
    """Addresses of the running servers."""

    rasa_url: str
    actions_url: str
    #: Process id of `rasa run` (its Sanic workers, if several, are its children).
    rasa_pid: int = 0

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """Post one message to the REST channel and return the bot's replies."""
        body = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


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
    then gives).
    """
    rasa_port, actions_port = free_port(), free_port()
    # The project's own endpoints files, so their ${...} settings are exercised too.
    endpoints = endpoints or ROOT / "endpoints.yml"
    full_env = {
        **{name: "" for name in CHANNEL_VARIABLES},
        **os.environ,
        **env,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "ACTION_ENDPOINT_URL": f"http://localhost:{actions_port}/webhook",
        "TRACKER_DB": str(workdir / "tracker.db"),
    }
    actions_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with actions_log.open("wb") as alog, rasa_log.open("wb") as rlog:
            actions = subprocess.Popen(
                [
                    str(VENV_BIN / "python"),
                    "-m",
                    "rasa_sdk",
                    "--actions",
                    "actions",
                    "--port",
                    str(actions_port),
                ],
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
        _wait(f"http://localhost:{actions_port}/health", actions, actions_log, 60)
        # Loading the model takes a minute on 2 idle cores, several when they are busy.
        _wait(f"http://localhost:{rasa_port}/", rasa, rasa_log, 420)
        yield Servers(f"http://localhost:{rasa_port}", f"http://localhost:{actions_port}", rasa.pid)
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
