"""`python -m actions` (actions/__main__.py, actions/server.py main): on loopback, with its
secret, or not at all; importing the entry point runs nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

from tests.support.project import ROOT, free_port

TOKEN = "action-secret-for-the-tests_0123456789"


def run_python(code: list[str], env: dict[str, str], **kwargs: Any) -> Any:
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env=env, capture_output=True, text=True, **kwargs
    )


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ACTION", "SANIC"))}


def test_importing_the_entry_point_runs_nothing() -> None:
    """rasa-sdk imports actions.__main__ with the rest of the package."""
    result = run_python(["-c", "import actions.__main__; print('imported')"], base_env())
    assert (result.returncode, result.stdout.strip()) == (0, "imported")


def test_without_a_secret_the_server_does_not_start() -> None:
    result = run_python(["-m", "actions"], {**base_env(), "ACTION_SERVER_TOKEN": ""}, timeout=120)
    assert result.returncode == 2
    assert "ACTION_SERVER_TOKEN" in result.stderr


def _listening(pid: int, port: int) -> list[str]:
    process = psutil.Process(pid)
    found = []
    for proc in [process, *process.children(recursive=True)]:
        with_port = [c for c in proc.net_connections("tcp") if c.laddr and c.laddr.port == port]
        found += [c.laddr.ip for c in with_port if c.status == psutil.CONN_LISTEN]
    return found


def test_python_m_actions_serves_on_loopback_with_the_secret(tmp_path: Path) -> None:
    port = free_port()
    env = {**base_env(), "ACTION_SERVER_TOKEN": TOKEN, "ACTIONS_PORT": str(port)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'kb.db'}"
    log = (tmp_path / "actions.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "actions"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 120
        while not _listening(proc.pid, port):
            assert proc.poll() is None, (tmp_path / "actions.log").read_text()
            assert time.monotonic() < deadline, "the action server did not start"
            time.sleep(0.2)
        assert set(_listening(proc.pid, port)) == {"127.0.0.1"}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as ok:
            assert ok.status == 200
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/actions", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=10) as listed:
            names = {a["name"] for a in json.loads(listed.read())}
        assert "action_set_language" in names
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
            assert b" 401 " in raw.recv(200)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
