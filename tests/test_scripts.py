"""Helper scripts used by make serve: the port check."""

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
