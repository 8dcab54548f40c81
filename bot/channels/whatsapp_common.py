"""What the two WhatsApp channels share (Meta's Cloud API in bot/whatsapp.py, Twilio's in
bot/twilio_whatsapp.py): the polite reply to messages they cannot read, buttons as a numbered
text and the background queue that keeps each user's messages in order.

A typed number is read as a choice by bot/choices.py, from the conversation tracker. Proactive
messages (bot/notify.py) are not in the tracker: their buttons are only answerable by tapping
(Cloud API interactive messages), never by number.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

from bot.channels.texts import localized_text
from core.settings import SettingsError
from nlu.vocabulary.canonical import REPLY_LANGUAGES
from outbound.message import Button

logger = logging.getLogger(__name__)

#: WhatsApp allows free-form messages only this long after the user's last message.
FREE_FORM_WINDOW = timedelta(hours=24)
#: Meta's pair rate limit: about one message every 6 s to the same user (error 131056).
PAIR_INTERVAL_SECONDS = 6.0


def unsupported_reply(language: str | None) -> str:
    """The polite "I only read text" reply; in all three languages when the language is unknown."""
    return localized_text("unsupported", language)


def numbered_list(text: str | None, buttons: Sequence[Mapping[str, Any]]) -> str:
    """The text followed by the buttons' titles numbered from 1 (answered by number)."""
    lines = [
        f"{index}. {button.get('title') or button.get('payload')}"
        for index, button in enumerate(buttons, start=1)
    ]
    head = (text or "").strip()
    return f"{head}\n\n" + "\n".join(lines) if head else "\n".join(lines)


def within_window(last_inbound_at: datetime | None, now: datetime | None = None) -> bool:
    """True when the user wrote less than 24 hours ago (free-form messages are allowed)."""
    if last_inbound_at is None:
        return False
    if last_inbound_at.tzinfo is None:
        last_inbound_at = last_inbound_at.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return now - last_inbound_at < FREE_FORM_WINDOW


def button_dicts(buttons: Sequence[Button]) -> list[dict[str, str]]:
    """Outbound buttons in Rasa's shape ({"title", "payload"})."""
    return [{"title": button.title, "payload": button.payload} for button in buttons]


def parse_language_map(value: str, default: Mapping[str, str]) -> dict[str, str]:
    """``"fr=fr,ar=ar,en=en_US"`` as a mapping over ``default``; a bare value applies to all."""
    mapping = dict(default)
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        if "=" not in item:
            return {language: item for language in REPLY_LANGUAGES}
        language, _, code = item.partition("=")
        if language.strip() not in REPLY_LANGUAGES or not code.strip():
            raise SettingsError(f"bad language mapping {item!r} (expected e.g. fr=fr,en=en_US)")
        mapping[language.strip()] = code.strip()
    return mapping


# --- background processing -----------------------------------------------------------------------


class SenderQueue:
    """Runs jobs in the background, each sender's one after the other in arrival order.

    Webhooks answer the platform at once (Meta and Twilio retry a slow webhook) and the message
    is handled here. Tests, and the server on shutdown, ``drain()`` it to wait for the replies.
    """

    def __init__(self) -> None:
        self._tails: dict[str, asyncio.Task[None]] = {}

    def schedule(self, sender: str, job: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run ``job`` after the sender's previous jobs."""
        task = asyncio.create_task(self._run(self._tails.get(sender), job))
        self._tails[sender] = task
        task.add_done_callback(partial(self._forget, sender))
        return task

    @staticmethod
    async def _run(previous: asyncio.Task[None] | None, job: Callable[[], Awaitable[None]]) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await job()
        except Exception:  # one failed message must not stop the sender's next ones
            logger.exception("handling a WhatsApp message failed")

    def _forget(self, sender: str, task: asyncio.Task[None]) -> None:
        if self._tails.get(sender) is task:
            del self._tails[sender]

    @property
    def pending(self) -> int:
        """Senders with jobs not finished yet."""
        return len(self._tails)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait for every job scheduled so far (and those they chain to); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tails:
            left = None if deadline is None else max(0.0, deadline - loop.time())
            _, pending = await asyncio.wait(list(self._tails.values()), timeout=left)
            if pending:
                return False
        return True
