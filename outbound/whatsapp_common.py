"""What the two WhatsApp senders share (Meta's Cloud API in outbound/whatsapp.py, Twilio's in
outbound/twilio.py): WhatsApp's 24-hour window and pair rate, buttons as a numbered text, and
the per-language mappings of their settings.

A typed number is read as a choice by bot/channels/choices.py, from the conversation tracker.
Proactive messages (outbound/notify/) are not in the tracker: their buttons are only
answerable by tapping (Cloud API interactive messages), never by number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from core.settings import SettingsError
from nlu.vocabulary.canonical import REPLY_LANGUAGES

#: WhatsApp allows free-form messages only this long after the user's last message.
FREE_FORM_WINDOW = timedelta(hours=24)
#: Meta's pair rate limit: about one message every 6 s to the same user (error 131056).
PAIR_INTERVAL_SECONDS = 6.0


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
