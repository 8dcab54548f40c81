"""``python -m console``: on 127.0.0.1 by default, and not at all without its secret."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from sqlalchemy.engine import Engine

from tests.console.conftest import SECRET
from tests.support.project import ROOT, free_port


def start(env: dict[str, str]) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CONSOLE_", "DATABASE_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "console"],
        cwd=ROOT,
        env={**base, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(url: str, process: subprocess.Popen[str], seconds: float = 30) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the console did not answer on {url}")


def test_python_m_console_listens_on_loopback_by_default(db_url: str, engine: Engine) -> None:
    port = free_port()
    process = start({"CONSOLE_PORT": str(port), "CONSOLE_SECRET": SECRET, "DATABASE_URL": db_url})
    try:
        assert wait_for(f"http://127.0.0.1:{port}/login", process) == 200
        listening = {
            c.laddr.ip
            for c in psutil.Process(process.pid).net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr.port == port
        }
        assert listening == {"127.0.0.1"}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "console on http://127.0.0.1:" in output
    assert SECRET not in output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CONSOLE_SECRET": ""}, "CONSOLE_SECRET"),
        ({"CONSOLE_SECRET": SECRET, "DATABASE_URL": "new"}, "not up to date"),
    ],
)
def test_it_refuses_to_start_without_its_secret_or_database(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    if env.get("DATABASE_URL") == "new":
        env = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    process = start({"CONSOLE_PORT": str(free_port()), **env})
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2 and message in output
