"""Helper scripts of make setup, make run and make serve: the secrets written into .env, the
port check, waiting for a server, serve.sh (its chat: tests/test_chat.py)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.support.project import free_port

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


# --- write_secrets.py: the secrets `make setup` writes into .env ---------------------------------

SCRIPTS = SCRIPT.parent
sys.path.insert(0, str(SCRIPTS))
import write_secrets  # noqa: E402

SECRET_NAMES = ("REST_TOKEN", "ACTION_SERVER_TOKEN", "CONSOLE_SECRET", "CONSOLE_RASA_TOKEN")


def sourced(env_file: Path, *names: str) -> list[str]:
    """What bash reads for ``names`` when it sources ``env_file`` as serve.sh does."""
    script = f"set -a; source {shlex.quote(str(env_file))}; " + "; ".join(
        f'printf "%s\\n" "${{{n}:-}}"' for n in names
    )
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=True, env={}
    )
    return result.stdout.splitlines()


def write(env_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "write_secrets.py"), str(env_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_env_file_is_created_from_the_example_with_every_secret(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    result = write(env_file)
    assert result.returncode == 0, result.stderr
    values = sourced(env_file, *SECRET_NAMES)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", v) for v in values), values
    assert len(set(values)) == len(SECRET_NAMES)
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    for value in values:  # named, never shown
        assert value not in result.stdout + result.stderr
    assert all(name in result.stdout for name in SECRET_NAMES)
    # The rest of the example is kept: its comments and defaults.
    assert "RASA_PORT=5005" in env_file.read_text()


def test_set_values_are_kept_empty_ones_filled_missing_ones_added(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    original = (
        "# my settings\r\n"
        "TELEGRAM_TOKEN=123:abc\r\n"
        "# REST_TOKEN=commented-out-does-not-count\r\n"
        'REST_TOKEN=""\r\n'
        "export ACTION_SERVER_TOKEN=kept-as-it-is\r\n"
        "CONSOLE_SECRET=old\r\n"
        "CONSOLE_SECRET= # emptied again later in the file\r\n"
        "RASA_PORT=5005"
    )
    env_file.write_text(original, newline="")
    env_file.chmod(0o640)
    assert write(env_file).returncode == 0
    rest, action, console, console_rasa = sourced(env_file, *SECRET_NAMES)
    assert action == "kept-as-it-is"
    assert len(rest) == 43 and len(console) == 43 and len(console_rasa) == 43
    text = env_file.read_bytes().decode()
    lines = text.splitlines(keepends=True)
    assert lines[:3] == original.splitlines(keepends=True)[:3]
    assert lines[3] == f"REST_TOKEN={rest}\r\n"  # in place, line ending kept
    assert lines[4:6] == original.splitlines(keepends=True)[4:6]
    assert lines[6] == f"CONSOLE_SECRET={console}\r\n"
    assert sourced(env_file, "TELEGRAM_TOKEN", "RASA_PORT") == ["123:abc", "5005"]
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o640

    again = write(env_file)  # nothing missing: nothing written, nothing said
    assert (again.returncode, again.stdout) == (0, "")
    assert env_file.read_bytes().decode() == text


def test_a_secret_absent_from_the_file_is_appended(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("REST_TOKEN=mine\nACTION_SERVER_TOKEN='quoted value'")
    assert write(env_file).returncode == 0
    rest, action, console, console_rasa = sourced(env_file, *SECRET_NAMES)
    assert (rest, action, len(console)) == ("mine", "quoted value", 43)


def test_a_placeholder_is_kept_and_named(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("REST_TOKEN=changeme\nACTION_SERVER_TOKEN=x\nCONSOLE_SECRET=y\n")
    result = write(env_file)
    assert sourced(env_file, "REST_TOKEN") == ["changeme"]
    assert "REST_TOKEN" in result.stderr and "changeme" not in result.stderr


def test_dotenv_value_reads_what_the_shell_would(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("A=1\nB='two words' # note\nA=3\nC=\n")
    assert [write_secrets.dotenv_value(n, env_file) for n in "ABCD"] == ["3", "two words", "", ""]
    assert write_secrets.dotenv_value("A", tmp_path / "missing") == ""


def fake_venv(project: Path) -> None:
    """``project/.venv/bin/python``: runs this interpreter."""
    bin_dir = project / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    executable(bin_dir / "python", f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')


def executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


def test_setup_writes_the_secrets_even_when_nothing_is_to_install(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in ("setup.sh", "write_secrets.py"):
        shutil.copy(SCRIPTS / name, project / "scripts" / name)
    shutil.copy(SCRIPT.parents[1] / ".env.example", project / ".env.example")
    lock = project / "requirements.lock"
    lock.write_text("nothing==1.0\n")
    fake_venv(project)
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    (project / ".venv" / ".requirements.sha256").write_text(digest + "\n")
    (project / ".env").write_text("ACTION_SERVER_TOKEN=already-set\n")

    result = subprocess.run(
        ["bash", str(project / "scripts" / "setup.sh")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "installing" not in result.stdout  # installed already: the early exit was taken
    rest, action, console, console_rasa = sourced(project / ".env", *SECRET_NAMES)
    assert action == "already-set" and len(rest) == 43 and len(console) == 43
    assert len(console_rasa) == 43


# --- serve.sh: the servers on loopback with the secrets, and the chat over REST ------------------

FAKE_SERVER = """
import http.server, json, os, sys
records = os.environ["FAKE_RECORDS"]
def record(name, host, port):
    keep = ("REST_TOKEN", "ACTION_SERVER_TOKEN", "ACTION_ENDPOINT_URL", "ACTIONS_HOST",
            "SANIC_REQUEST_MAX_SIZE", "CONSOLE_SECRET", "CONSOLE_HOST", "PYTHONWARNINGS")
    with open(os.path.join(records, name + ".json"), "w") as out:
        json.dump({"argv": sys.argv[1:], "pid": os.getpid(),
                   "env": {k: os.environ.get(k) for k in keep}}, out)
    class Ok(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
        def log_message(self, *args):
            pass
    if os.environ.get("FAKE_RASA_EXITS") and name == "rasa":
        return
    http.server.HTTPServer((host, port), Ok).serve_forever()
"""
FAKE_RASA = (
    FAKE_SERVER
    + """
args = sys.argv[1:]
record("rasa", args[args.index("--interface") + 1], int(args[args.index("--port") + 1]))
"""
)
FAKE_ACTIONS = (
    FAKE_SERVER
    + """
record("actions", os.environ["ACTIONS_HOST"], int(os.environ["ACTIONS_PORT"]))
"""
)
FAKE_CONSOLE = (
    FAKE_SERVER
    + """
if os.environ.get("FAKE_CONSOLE_EXITS"):
    print("console: CONSOLE_SECRET is not set (see .env.example)")
    sys.exit(2)
record("console", os.environ["CONSOLE_HOST"], int(os.environ["CONSOLE_PORT"]))
"""
)
FAKE_CHAT = (
    FAKE_SERVER.split("def record")[0]
    + """
with open(os.path.join(records, "chat.json"), "w") as out:
    json.dump({"argv": sys.argv[1:], "env": {"REST_TOKEN": os.environ.get("REST_TOKEN")}}, out)
"""
)


def fake_project(tmp_path: Path, env_file: str) -> Path:
    """A copy of serve.sh and its helpers, with fakes of `python -m bot` (Rasa's command line),
    `python -m actions`, `python -m console` and the chat that record how they were started."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in ("serve.sh", "check_ports.py", "wait_http.py"):
        shutil.copy(SCRIPTS / name, project / "scripts" / name)
    fake_venv(project)
    (project / "bot").mkdir()
    (project / "bot" / "__init__.py").write_text("")
    (project / "bot" / "__main__.py").write_text(FAKE_RASA)
    (project / "actions").mkdir()
    (project / "actions" / "__init__.py").write_text("")
    (project / "actions" / "__main__.py").write_text(FAKE_ACTIONS)
    (project / "console").mkdir()
    (project / "console" / "__init__.py").write_text("")
    (project / "console" / "__main__.py").write_text(FAKE_CONSOLE)
    (project / "scripts" / "chat.py").write_text(FAKE_CHAT)
    (project / ".env").write_text(env_file)
    (project / "records").mkdir()
    return project


def serve(project: Path, mode: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith(("_TOKEN", "_HOST", "_PORT", "_SECRET")) and k != "PYTHONWARNINGS"
    }
    return subprocess.run(
        ["bash", str(project / "scripts" / "serve.sh"), mode],
        env={**base, "FAKE_RECORDS": str(project / "records"), **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def records(project: Path) -> dict[str, Any]:
    return {p.stem: json.loads(p.read_text()) for p in (project / "records").glob("*.json")}


def test_make_run_chats_over_the_rest_channel_with_the_token(tmp_path: Path) -> None:
    rasa_port, actions_port, console_port = free_port(), free_port(), free_port()
    project = fake_project(
        tmp_path,
        f"REST_TOKEN=rest-secret\nACTION_SERVER_TOKEN=action-secret\nCONSOLE_SECRET=c-secret\n"
        f"RASA_PORT={rasa_port}\nACTIONS_PORT={actions_port}\nCONSOLE_PORT={console_port}\n",
    )
    result = serve(project, "shell")
    assert result.returncode == 0, result.stderr
    started = records(project)
    rasa, actions, chat_ = started["rasa"], started["actions"], started["chat"]
    console = started["console"]
    assert rasa["argv"][0] == "run" and "shell" not in rasa["argv"]
    assert rasa["argv"][rasa["argv"].index("--interface") + 1] == "127.0.0.1"
    assert chat_["argv"] == [f"http://127.0.0.1:{rasa_port}"]
    assert chat_["env"]["REST_TOKEN"] == "rest-secret"
    assert actions["env"]["ACTION_SERVER_TOKEN"] == "action-secret"
    assert actions["env"]["ACTIONS_HOST"] == "127.0.0.1"
    assert rasa["env"]["ACTION_SERVER_TOKEN"] == "action-secret"
    assert rasa["env"]["REST_TOKEN"] == "rest-secret"
    assert rasa["env"]["ACTION_ENDPOINT_URL"] == f"http://127.0.0.1:{actions_port}/webhook"
    assert rasa["env"]["SANIC_REQUEST_MAX_SIZE"] == "1048576"
    assert console["env"]["CONSOLE_SECRET"] == "c-secret"
    assert console["env"]["CONSOLE_HOST"] == "127.0.0.1"
    assert f"staff console on http://127.0.0.1:{console_port}" in result.stdout
    assert (project / "var" / "console.log").exists()
    # Known warnings are silenced one by one (python -m bot), never all of them.
    assert rasa["env"]["PYTHONWARNINGS"] is None
    for server in (rasa, actions, console):  # stopped with the chat
        assert not psutil.pid_exists(server["pid"]) or (
            psutil.Process(server["pid"]).status() == psutil.STATUS_ZOMBIE
        )


def test_make_serve_listens_where_rasa_host_says(tmp_path: Path) -> None:
    rasa_port, actions_port, console_port = free_port(), free_port(), free_port()
    project = fake_project(
        tmp_path,
        f"ACTION_SERVER_TOKEN=a\nCONSOLE_SECRET=c\nRASA_HOST=0.0.0.0\nACTIONS_HOST=0.0.0.0\n"
        f"RASA_PORT={rasa_port}\nACTIONS_PORT={actions_port}\nCONSOLE_PORT={console_port}\n",
    )
    result = serve(project, "serve", FAKE_RASA_EXITS="1")
    assert result.returncode == 0, result.stderr
    rasa = records(project)["rasa"]
    assert records(project)["console"]["env"]["CONSOLE_HOST"] == "127.0.0.1"  # its own setting
    assert rasa["argv"][rasa["argv"].index("--interface") + 1] == "0.0.0.0"
    assert rasa["env"]["ACTION_ENDPOINT_URL"] == f"http://127.0.0.1:{actions_port}/webhook"
    assert rasa["env"]["REST_TOKEN"] == ""  # headless: REST refuses every message


def test_a_console_that_does_not_start_stops_serve(tmp_path: Path) -> None:
    ports = "".join(
        f"{name}={free_port()}\n" for name in ("RASA_PORT", "ACTIONS_PORT", "CONSOLE_PORT")
    )
    project = fake_project(tmp_path, "ACTION_SERVER_TOKEN=a\nCONSOLE_SECRET=c\n" + ports)
    result = serve(project, "serve", FAKE_CONSOLE_EXITS="1")
    assert result.returncode == 1
    assert "staff console did not start" in result.stderr and "CONSOLE_SECRET" in result.stderr
    assert "rasa" not in records(project)
    actions = records(project)["actions"]
    assert not psutil.pid_exists(actions["pid"]) or (
        psutil.Process(actions["pid"]).status() == psutil.STATUS_ZOMBIE
    )


@pytest.mark.parametrize(
    ("mode", "env_file", "named"),
    [
        ("shell", "ACTION_SERVER_TOKEN=a\nCONSOLE_SECRET=c\nREST_TOKEN=\n", "REST_TOKEN"),
        ("shell", "REST_TOKEN=r\nCONSOLE_SECRET=c\n", "ACTION_SERVER_TOKEN"),
        ("serve", "REST_TOKEN=r\nCONSOLE_SECRET=c\nACTION_SERVER_TOKEN=\n", "ACTION_SERVER_TOKEN"),
        ("serve", "REST_TOKEN=r\nACTION_SERVER_TOKEN=a\n", "CONSOLE_SECRET"),
    ],
)
def test_without_its_secrets_nothing_starts(
    tmp_path: Path, mode: str, env_file: str, named: str
) -> None:
    project = fake_project(tmp_path, env_file)
    result = serve(project, mode)
    assert result.returncode == 1
    assert named in result.stderr and "make setup" in result.stderr
    assert records(project) == {}
