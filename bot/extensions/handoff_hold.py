"""While a person holds a conversation, the member's messages go to the console, not to Rasa's
dialogue.

``install()`` wraps ``MessageProcessor.handle_message`` (which every channel reaches through
``Agent.handle_message``, under the conversation's lock). Before anything of Rasa's runs (NLU,
slot extraction, forms, policies), it looks in the database for a handoff a staff member holds
(kb.handoff_live, status ``taken``). When there is one, the message:

- is kept in the conversation's history as a user event carrying the marker
  ``kb.conversations.HANDLED_BY_PERSON`` in its metadata (no intent: the NLU never read it), so
  the learning loop, the analytics and training exports leave it out;
- is stored in the handoff's transcript, where the console shows it;
- is acknowledged to REST callers in their language (a REST member is also asked how to be
  reached, since staff cannot write to them there); other channels get no reply, the person
  answers;
- "stop" (or "back to the bot", "رجعني للمساعد", "safi", ...) hands the conversation back and
  offers the one-tap rating.

A rating button's payload (``/handoff_rating{"rating": N}``) is taken here too, whether a
person holds the conversation or not: it rates the member's latest handoff; so is a region
button's (``/handoff_region{"region": "oriental"}``, offered when a member asking for a person
has not said their region): it becomes the member's own region and routes their handoff.

Installed by ``bot.extensions.install()``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Final

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.handoff_texts import (
    asks_for_the_bot,
    handoff_text,
    rating_buttons,
    rating_of,
    region_of,
)
from core.identity import split_conversation_id
from core.redact import user_ref
from kb.access import DatabaseUnavailable, run_db
from kb.conversations import HANDLED_BY_PERSON
from kb.handoff_live import (
    MEMBER_BACK_TO_BOT,
    LiveHandoff,
    add_line,
    get_live,
    hand_back,
    held_handoff,
    rate_latest,
    set_contact,
)
from kb.handoffs import set_member_region
from nlu.vocabulary.contacts import find_contacts
from outbound.handoff_watch import notify_soon

logger = logging.getLogger(__name__)

Handle = Callable[[MessageProcessor, UserMessage], Awaitable[Any]]
#: A rating is accepted for this long after the hand-back.
RATING_WINDOW: Final = timedelta(days=7)
#: Channels staff cannot write to: the member is asked how to be reached.
NO_WRITE_BACK: Final = frozenset({"rest"})

_original: Handle | None = None


async def _held(channel: str, user: str) -> LiveHandoff | None:
    try:
        return await run_db(held_handoff, channel=channel, channel_user_id=user)
    except DatabaseUnavailable:
        # The dialogue answers instead; its own database calls will say what is wrong.
        logger.warning(
            "handoff hold: cannot tell whether %s is held", user_ref(f"{channel}:{user}")
        )
        return None


def _member_turn(
    tracker: Any, message: UserMessage, replies: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Keep the message (marked) and the replies in the conversation's history."""
    metadata = {**(message.metadata or {}), HANDLED_BY_PERSON: True}
    tracker.update(
        UserUttered(
            message.text,
            intent=None,
            input_channel=message.input_channel,
            message_id=message.message_id,
            metadata=metadata,
        )
    )
    for reply in replies:
        data = {"buttons": reply["buttons"]} if reply.get("buttons") else None
        tracker.update(BotUttered(reply["text"], data=data, metadata={HANDLED_BY_PERSON: True}))
    return replies


async def _send(message: UserMessage, replies: list[dict[str, Any]]) -> Any:
    for reply in replies:
        await message.output_channel.send_response(message.sender_id, dict(reply))
    if isinstance(message.output_channel, CollectingOutputChannel):
        return message.output_channel.messages
    return None


async def _answer_held(held: LiveHandoff, text: str) -> list[dict[str, Any]]:
    """Store a held message and say what the member is told."""
    if asks_for_the_bot(text):
        await run_db(hand_back, handoff_id=held.id)
        await run_db(add_line, handoff_id=held.id, direction="system", text=MEMBER_BACK_TO_BOT)
        logger.info(
            "handoff %d: %s went back to the assistant",
            held.id,
            user_ref(f"{held.channel}:{held.channel_user_id}"),
        )
        return [
            {"text": handoff_text("member_left", held.language)},
            {"text": handoff_text("rate", held.language), "buttons": rating_buttons()},
        ]
    await run_db(add_line, handoff_id=held.id, direction="member", text=text)
    if held.channel not in NO_WRITE_BACK:
        return []
    if not held.has_contact:
        contacts = [c for c in find_contacts(text) if c.kind in ("email", "phone")]
        if contacts:
            await run_db(set_contact, handoff_id=held.id, contact=contacts[0].value)
            return [{"text": handoff_text("contact_kept", held.language)}]
        return [{"text": handoff_text("ask_contact", held.language)}]
    return [{"text": handoff_text("held_ack", held.language)}]


async def _route(channel: str, user: str, region: str, language: Any) -> list[dict[str, Any]]:
    """The member named their own region: kept, and their handoff routed to it (its
    delegate alerted)."""
    rerouted = await run_db(set_member_region, channel=channel, channel_user_id=user, region=region)
    if rerouted is not None:
        notify_soon(rerouted)
        logger.info("handoff %d routed to the member's region", rerouted)
        language = (await run_db(get_live, handoff_id=rerouted)).language
    return [{"text": handoff_text("region_kept", language)}]


async def handle_message(self: MessageProcessor, message: UserMessage) -> Any:
    """Rasa's handle_message, unless a person holds the conversation or the message rates a
    handoff."""
    assert _original is not None
    ids = split_conversation_id(message.sender_id)
    text = message.text or ""
    if ids is None:
        return await _original(self, message)
    channel, user = ids
    rating, region = rating_of(text), region_of(text)
    held = None if rating or region else await _held(channel, user)
    if rating is None and region is None and held is None:
        return await _original(self, message)
    tracker = await self.fetch_tracker_and_update_session(
        message.sender_id, message.output_channel, message.metadata
    )
    if region is not None:
        replies = await _route(channel, user, region, tracker.get_slot("language"))
    elif rating is not None:
        rated = await run_db(
            rate_latest, channel=channel, channel_user_id=user, rating=rating, within=RATING_WINDOW
        )
        replies = []
        if rated is not None:
            replies = [{"text": handoff_text("rated", rated.language)}]
            logger.info("handoff %d rated", rated.id)
    else:
        assert held is not None
        replies = await _answer_held(held, text)
        logger.info(
            "handoff %d: a message of %s held for staff", held.id, user_ref(message.sender_id)
        )
    _member_turn(tracker, message, replies)
    await self.save_tracker(tracker)
    return await _send(message, replies)


def install() -> None:
    """Wrap MessageProcessor.handle_message (idempotent)."""
    global _original
    current = MessageProcessor.handle_message
    if getattr(current, "__wrapped_by_asmex__", False):
        return
    _original = current
    handle_message.__wrapped_by_asmex__ = True  # type: ignore[attr-defined]
    MessageProcessor.handle_message = handle_message  # type: ignore[method-assign]
