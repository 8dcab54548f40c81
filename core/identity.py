"""Who a conversation belongs to: one person on one channel, keyed ``<channel>:<user id>``.

Rasa keys a conversation (its tracker) by the sender id a channel gives it. Every channel
prefixes the platform's user id with its own name, so a REST client that posts someone's
Telegram id reaches ``rest:<id>``, never ``telegram:<id>``. The knowledge base keeps the two
parts apart (users.channel, users.channel_user_id).
"""

from __future__ import annotations

from typing import Final

SEPARATOR: Final = ":"
#: The channels that key conversations (users.channel).
CHANNELS: Final = ("rest", "telegram", "whatsapp", "twilio_whatsapp")


def conversation_id(channel: str, user_id: str | int) -> str:
    """The sender id of ``user_id``'s conversation on ``channel``."""
    return f"{channel}{SEPARATOR}{user_id}"


def split_conversation_id(sender_id: str) -> tuple[str, str] | None:
    """(channel, user id) of a conversation id, or None for an id no channel of ours made."""
    channel, separator, user_id = sender_id.partition(SEPARATOR)
    if separator and channel in CHANNELS and user_id:
        return channel, user_id
    return None


def platform_id(recipient_id: str, channel: str) -> str:
    """The platform's own id for a reply Rasa addresses to ``recipient_id`` (a conversation id
    of ``channel``, or already the platform's id)."""
    prefix = channel + SEPARATOR
    return recipient_id[len(prefix) :] if recipient_id.startswith(prefix) else recipient_id
