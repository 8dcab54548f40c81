"""Wait until a URL answers 200, or exit 1 after a timeout: wait_http.py URL SECONDS."""

from __future__ import annotations

import sys
import time
import urllib.request


def wait(url: str, seconds: float) -> bool:
    """Poll the URL every 0.25 s until it answers 200 or the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


if __name__ == "__main__":
    sys.exit(0 if wait(sys.argv[1], float(sys.argv[2])) else 1)
