"""Wait until a URL answers 200, or exit 1 after a timeout: wait_http.py URL SECONDS [PID].

With PID, give up as soon as that process has exited (it will never answer).
"""

from __future__ import annotations

import os
import sys
import time
import urllib.request


def alive(pid: int | None) -> bool:
    """False once the process ``pid`` has exited (always True without a pid)."""
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait(url: str, seconds: float, pid: int | None = None) -> bool:
    """Poll the URL every 0.25 s until it answers 200 or the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and alive(pid):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


if __name__ == "__main__":
    pid = int(sys.argv[3]) if len(sys.argv) > 3 else None
    sys.exit(0 if wait(sys.argv[1], float(sys.argv[2]), pid) else 1)
