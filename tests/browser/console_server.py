"""The real staff console for the browser tests: `python -m console` on a free port of
127.0.0.1, over an SQLite database whose accounts are made with the documented command
(`python -m actions.admin add-staff`, the password on standard input)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.support.project import CHANNEL_VARIABLES, ROOT, free_port

PYTHON = str(Path(sys.executable))
SECRET = "browser-test-secret-0123456789abcdef0123"
#: Settings that would send mail or staff chat messages from a developer's environment.
QUIET = ("SMTP_HOST", "HEAD_OFFICE_EMAIL", "STAFF_TELEGRAM_CHAT_ID", "DATABASE_URL")


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    role: str
    region: str | None = None
    language: str = "fr"


ADMIN = Account("nadia.admin@asmex.ma", "sel-et-menthe-2026", "admin")
DELEGATE = Account("khalid.souss@asmex.ma", "tifawin-agadir-2026", "delegate", "souss-massa")
#: The account the lockout test locks (the others stay usable).
LOCKED = Account("youssef.tanger@asmex.ma", "detroit-tanger-2026", "admin")


@dataclass(frozen=True)
class Console:
    url: str
    database_url: str
    env: dict[str, str]


def console_env(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of the console and of the admin CLI: no channel, no mail, this database."""
    env = {name: value for name, value in os.environ.items() if name not in QUIET}
    env.update({name: "" for name in CHANNEL_VARIABLES})
    env.update(
        {
            "DATABASE_URL": database_url,
            "CONSOLE_SECRET": SECRET,
            "CONSOLE_HOST": "127.0.0.1",
            "TRACKER_DB": str(workdir / "tracker.db"),
            **extra,
        }
    )
    return env


def admin_cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Run `python -m actions.admin ARGS` and return its output; fails on a non-zero exit."""
    done = subprocess.run(
        [PYTHON, "-m", "actions.admin", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def add_staff(env: dict[str, str], account: Account) -> None:
    """The documented way to make an account (docs/console.md)."""
    region = ["--region", account.region] if account.region else []
    args = ["add-staff", account.email, "--role", account.role, "--language", account.language]
    args += region
    admin_cli(env, *args, stdin=account.password + "\n")


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the console exited early:\n{log.read_text()[-3000:]}")
        with suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the console did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


@contextmanager
def running_console(env: dict[str, str], workdir: Path) -> Iterator[Console]:
    """`python -m console` with ``env`` on a free port until the block ends."""
    port = free_port()
    env = {**env, "CONSOLE_PORT": str(port)}
    log = workdir / "console.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [PYTHON, "-m", "console"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(f"{url}/login", proc, log)
        yield Console(url, env["DATABASE_URL"], env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
