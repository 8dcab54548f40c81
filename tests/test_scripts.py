"""Helper scripts used by make serve: the port check, waiting for a server."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_ports.py"


def run(*ports: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *ports], capture_output=True, text=True, timeout=30
    )


def test_a_taken_port_is_refused_and_named() -> None:
    with socket.socket() as listener:
        listener.bind(("0.0.0.0", 0))
        listener.listen()
        port = str(listener.getsockname()[1])
        result = run(port)
    assert result.returncode == 1
    assert port in result.stderr


def test_free_ports_pass() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    assert run(port).returncode == 0


def test_not_a_number_is_a_usage_error() -> None:
    assert run("http").returncode == 2


WAIT_HTTP = SCRIPT.parent / "wait_http.py"


def test_wait_http_gives_up_as_soon_as_the_server_process_exits() -> None:
    """serve.sh waits for Rasa with its pid: a server that died (bad token...) is not waited for."""
    import time

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(WAIT_HTTP), f"http://127.0.0.1:{port}/", "30", str(dead.pid)],
        timeout=60,
    )
    assert result.returncode == 1
    assert time.monotonic() - started < 10
