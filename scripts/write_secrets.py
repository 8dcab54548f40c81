"""Write random secrets into .env where they are missing or empty: write_secrets.py [ENV_FILE].

`make setup` runs it every time, installed or not. For each of SECRETS, a value already set in
the file is never changed; an empty one (``REST_TOKEN=``) is filled in place; a missing one is
appended. A missing file is created from .env.example (readable by its owner only). Only the
names of what was written are printed, never a value. Standard library only: it runs before
anything is installed.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The secrets every installation needs: the REST channel's bearer token, the action server's
#: shared secret, the staff console's session secret (also the key of the logs' user refs),
#: the token the console sends the Rasa server's console channel.
SECRETS = ("REST_TOKEN", "ACTION_SERVER_TOKEN", "CONSOLE_SECRET", "CONSOLE_RASA_TOKEN")
#: Values that are not a secret yet (as core.settings.is_placeholder sees them).
PLACEHOLDERS = frozenset({"changeme", "change-me", "xxx", "your-token-here", "todo"})

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")
_QUOTED = re.compile(r"^(?P<quote>['\"])(?P<inner>.*?)(?P=quote)")


def new_secret() -> str:
    """43 random URL-safe characters (256 bits): safe unquoted in a shell and in YAML."""
    return secrets.token_urlsafe(32)


def value_of(raw: str) -> str:
    """The value of an assignment's right-hand side as a shell reads it: quotes removed, a
    comment (``#`` at the start of a word) ignored."""
    text = raw.strip()
    quoted = _QUOTED.match(text)
    if quoted:
        return quoted["inner"].strip()
    return "" if not text or text.startswith("#") else text.split()[0]


def assignments(lines: list[str]) -> dict[str, tuple[int, str]]:
    """For each name assigned in ``lines``: (index of its last assignment, its value); the
    last one counts, as when a shell sources the file."""
    found: dict[str, tuple[int, str]] = {}
    for index, line in enumerate(lines):
        match = _ASSIGNMENT.match(line)
        if match:
            found[match["name"]] = (index, value_of(match["value"]))
    return found


def fill(text: str, names: tuple[str, ...] = SECRETS) -> tuple[str, list[str]]:
    """``text`` of an env file with the missing or empty ``names`` given new secrets, and the
    names written (in order)."""
    lines = text.splitlines(keepends=True)
    found = assignments(lines)
    written: list[str] = []
    appended: list[str] = []
    for name in names:
        index, value = found.get(name, (None, ""))
        if value:
            continue
        if index is None:
            appended.append(f"{name}={new_secret()}\n")
        else:
            ending = lines[index][len(lines[index].rstrip("\r\n")) :] or "\n"
            lines[index] = f"{name}={new_secret()}{ending}"
        written.append(name)
    if appended:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append("# Secrets written by `make setup` (scripts/write_secrets.py).\n")
        lines.extend(appended)
    return "".join(lines), written


def placeholders(text: str, names: tuple[str, ...] = SECRETS) -> list[str]:
    """The ``names`` whose value in ``text`` is still an example value such as "changeme"."""
    found = assignments(text.splitlines())
    return [name for name in names if found.get(name, (0, ""))[1].lower() in PLACEHOLDERS]


def dotenv_value(name: str, path: Path | None = None) -> str:
    """The value ``name`` has in the project's .env (or ``path``), "" when unset or no file."""
    env = path or ROOT / ".env"
    if not env.is_file():
        return ""
    return assignments(env.read_text(encoding="utf-8").splitlines()).get(name, (0, ""))[1]


def write_atomically(path: Path, text: str, mode: int) -> None:
    """Replace ``path`` by ``text`` in one step, with permissions ``mode``."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".env.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / ".env"
    path = path.resolve()
    example = ROOT / ".env.example"
    if path.exists():
        text, mode = path.read_bytes().decode("utf-8"), path.stat().st_mode & 0o777
    else:
        text = example.read_bytes().decode("utf-8") if example.is_file() else ""
        mode = 0o600
    filled, written = fill(text)
    if written:
        write_atomically(path, filled, mode)
        print(f"setup: wrote new {', '.join(written)} into {path.name}")
    for name in placeholders(filled):
        print(
            f"setup: {name} in {path.name} is still an example value: set a real one",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
