"""Chat in the terminal over the project's REST channel: chat.py [URL] [--sender ID].

`make run` starts the servers, then this chat (scripts/serve.sh shell). What you type goes to
POST URL/webhooks/rest/webhook with ``Authorization: Bearer <REST_TOKEN>`` (the environment's,
else .env's), as any client of the channel sends it, so the assistant behaves as on the
messaging channels: the channel resolves a typed choice ("2", "la deuxième" after a list), and
its checks and limits apply. Buttons are shown as numbered choices, never as their
``/intent{...}`` payloads; a calendar file is named, not printed. /stop quits.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from write_secrets import dotenv_value  # noqa: E402

STOP = "/stop"
_LINK_RE = re.compile(r"^https?://", re.IGNORECASE)


class ChatError(RuntimeError):
    """The chat cannot go on (server gone, token refused); the message says why."""


# --- showing replies -----------------------------------------------------------------------------


def _buttons(reply: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(choices, links) among a reply's buttons: a link button opens a page, it is no choice."""
    buttons = [b for b in reply.get("buttons") or [] if isinstance(b, dict)]
    links = [b for b in buttons if _LINK_RE.match(str(b.get("payload") or ""))]
    return [b for b in buttons if b not in links], links


def _title(button: dict[str, Any]) -> str:
    return str(button.get("title") or button.get("payload") or "")


def custom_summary(custom: Any) -> str:
    """One line for a custom message: a calendar file by its name, a text as it is."""
    if not isinstance(custom, dict):
        return "📎 (custom message)"
    if custom.get("type") == "ics":
        return f"📅 {custom.get('filename') or 'event.ics'}"
    if custom.get("text"):
        return str(custom["text"])
    return f"📎 ({', '.join(sorted(map(str, custom)))})"


def render(replies: list[dict[str, Any]]) -> list[str]:
    """The lines a turn's replies show in the terminal.

    Numbered as the channel reads a typed number (bot/channels/choices.py): one message with
    several buttons numbers its buttons; several messages with buttons (a list of events) are
    numbered items, whose number picks the item's first button.
    """
    numbered_items = sum(1 for r in replies if _buttons(r)[0]) >= 2
    lines: list[str] = []
    item = 0
    for reply in replies:
        text = str(reply.get("text") or "")
        choices, links = _buttons(reply)
        if numbered_items and choices:
            item += 1
            text = f"{item}. {text}"
        if text:
            lines.extend(text.splitlines() or [""])
        if (numbered_items and choices) or len(choices) == 1:
            lines.append("   " + " ".join(f"[{_title(b)}]" for b in choices))
        elif choices:
            lines.extend(f"   {n}. {_title(b)}" for n, b in enumerate(choices, start=1))
        lines.extend(f"   🔗 {_title(b)}: {b.get('payload')}" for b in links)
        if reply.get("image"):
            lines.append(f"🖼  {reply['image']}")
        if reply.get("attachment"):
            lines.append(f"📎 {reply['attachment']}")
        if reply.get("custom") is not None:
            lines.append(custom_summary(reply["custom"]))
    return lines


# --- talking to the channel ----------------------------------------------------------------------


def send(url: str, token: str, sender: str, text: str, timeout: float = 300) -> list[Any]:
    """Post one message; the replies (also those of a 429: the channel's polite "wait")."""
    request = urllib.request.Request(
        f"{url.rstrip('/')}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read()
    except urllib.error.HTTPError as refused:
        body = refused.read()
        if refused.code == 401:
            raise ChatError(
                "the REST channel refused the token: REST_TOKEN differs from the server's "
                "(run `make setup`, then restart `make run`)"
            ) from None
        if refused.code != 429:
            raise ChatError(f"HTTP {refused.code}: {body[:200].decode(errors='replace')}") from None
    except OSError as down:
        raise ChatError(f"the Rasa server at {url} is not answering ({down})") from None
    replies = json.loads(body or b"[]")
    return replies if isinstance(replies, list) else []


def rest_token(env_file: Path | None = None) -> str:
    """REST_TOKEN from the environment, else from .env (the project's, or ``env_file``)."""
    return os.environ.get("REST_TOKEN", "").strip() or dotenv_value("REST_TOKEN", env_file)


def chat(url: str, token: str, sender: str) -> int:
    """Read lines until /stop or end of input; print each turn's replies."""
    while True:
        try:
            text = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip() == STOP:
            return 0
        if not text.strip():
            continue
        try:
            replies = send(url, token, sender, text)
        except ChatError as problem:
            print(f"chat: {problem}", file=sys.stderr)
            return 1
        for line in render([r for r in replies if isinstance(r, dict)]) or ["(no reply)"]:
            print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:5005")
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:12]}")
    parser.add_argument("--env-file", type=Path, default=None, help="default: the project's .env")
    args = parser.parse_args(argv)
    token = rest_token(args.env_file)
    if not token:
        print(
            "chat: REST_TOKEN is not set: run `make setup` (it writes one into .env)",
            file=sys.stderr,
        )
        return 1
    return chat(args.url, token, args.sender)


if __name__ == "__main__":
    sys.exit(main())
