"""One conversation turn for a stored message: run once, its replies known before they are sent.

``converse`` hands the text to Rasa with the platform's message id (Rasa keeps it on the user
event) and the replies held (bot/channels/output.py): they are returned once Rasa stored the
turn. When Rasa fails (its conversation store unreachable: bot/extensions/fail_closed.py) the
turn did not happen, and the member is told so in their language instead. A message taken
again after a crash whose user event is already in the stored conversation is not run again:
the replies of that turn are read back from the conversation (``saved_turn_replies``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.output import PlatformOutput
from bot.channels.texts import conversation_tracker
from core.redact import user_ref

logger = logging.getLogger(__name__)

Reply = dict[str, Any]


def turn_replies(events: Iterable[Any], message_id: str) -> list[Reply] | None:
    """The bot's replies to the user event ``message_id``, or None when it is not there."""
    replies: list[Reply] | None = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break  # the next turn
            if event.message_id == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            replies.append(event.message())
    return replies


async def saved_turn_replies(agent: Any, sender: str, message_id: str) -> list[Reply] | None:
    """The replies of the stored turn of ``message_id`` in ``sender``'s conversation, or None
    when the conversation does not hold it (or cannot be read)."""
    tracker = await conversation_tracker(agent, sender)
    if tracker is None:
        return None
    return turn_replies(tracker.events, message_id)


async def converse(
    to_rasa: Callable[[UserMessage], Awaitable[None]],
    output: PlatformOutput,
    message: UserMessage,
    error_text: Callable[[], Awaitable[str]],
) -> list[Reply]:
    """Rasa's replies to ``message`` (sent through ``output``, held), or the error text."""
    output.hold()
    try:
        await to_rasa(message)
    except Exception:  # noqa: BLE001 - whatever failed, the member hears it and may try again
        output.release()
        logger.exception(
            "the %s message of %s was not handled",
            message.input_channel,
            user_ref(message.sender_id),
        )
        return [{"text": await error_text()}]
    return output.release()
