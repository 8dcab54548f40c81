"""The end-to-end harness stops what it starts (tests/e2e/servers.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.servers import _stop

# A parent that starts a child, as `rasa run` starts its Sanic workers; the child ignores
# SIGTERM, as a worker busy loading its model may.
_PARENT = """
import subprocess, sys, time
child = (
    "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "pathlib.Path(sys.argv[1]).write_text('up'); time.sleep(600)"
)
subprocess.Popen([sys.executable, "-c", child, sys.argv[1]])
time.sleep(600)
"""


def alive_in_group(pgid: int) -> list[int]:
    """Live processes of a process group (Linux /proc; a dead child waiting to be reaped by
    init, a zombie, holds nothing and is not counted)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            alive.append(int(entry.name))
    return alive


def test_stopping_a_server_stops_the_processes_it_started(tmp_path: Path) -> None:
    ready = tmp_path / "child-up"
    proc = subprocess.Popen([sys.executable, "-c", _PARENT, str(ready)], start_new_session=True)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    assert len(alive_in_group(proc.pid)) == 2

    _stop([proc])

    assert proc.returncode is not None
    deadline = time.monotonic() + 5  # SIGKILL is delivered at once, but not synchronously
    while alive_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive_in_group(proc.pid) == []  # the child too
