"""The reply language: detected on every message, unless the user chose one."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import channel_identity, latest_user_metadata
from core.redact import user_ref
from kb.access import DatabaseUnavailable, run_db
from kb.users import get_or_create_user, set_user_language
from nlu.vocabulary.canonical import REPLY_LANGUAGES, language_from_detection, language_from_hint

logger = logging.getLogger(__name__)

#: Below this confidence a detected language does not switch an established reply language.
SWITCH_CONFIDENCE = 0.6
#: A message with one word of evidence switches it only with this confidence: single words are
#: often shared ("ok", "stop", "super") or names ("Dakar", "Casablanca"), which the detector
#: still gives 0.6-0.7 (e.g. "ok" -> en 0.68, "Dakar" -> ary 0.69), while "yes", "merci",
#: "thanks" or "hello" get 0.97 and more.
SINGLE_WORD_SWITCH_CONFIDENCE = 0.9
#: While the registration form asks for one of these, the answer is a name, an address or a
#: number, never a sign of the user's language ("Fatima Zahra" -> ary 0.82).
NAME_SLOTS: Final = frozenset({"company_name", "contact_name", "email", "phone", "ice"})
_WORD_RE: Final = re.compile(r"\w+")


def chosen_language(tracker: Tracker) -> str | None:
    """The language named in a change_language request, if any."""
    if (tracker.latest_message.get("intent") or {}).get("name") != "change_language":
        return None
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "language" and entity.get("value") in REPLY_LANGUAGES:
            return str(entity["value"])
    return None


def evidence_words(message: Mapping[str, Any]) -> int:
    """Words with letters in the message outside its entities (places, events, sectors...),
    which are the same in every language: how much the text shows the user's language."""
    text = str(message.get("text") or "")
    for entity in message.get("entities") or []:
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            text = text[:start] + " " * (end - start) + text[end:]
    return sum(1 for word in _WORD_RE.findall(text) if any(c.isalpha() for c in word))


def shows_language(message: Mapping[str, Any], confidence: float) -> bool:
    """Whether the detected language is evidence enough to switch the reply language.

    Arabic letters are (an Arabic reply follows the script); otherwise it takes one word outside
    the entities detected with SINGLE_WORD_SWITCH_CONFIDENCE, or two with SWITCH_CONFIDENCE.
    """
    if confidence < SWITCH_CONFIDENCE:
        return False
    if message.get("language_script") == "arab":
        return True
    words = evidence_words(message)
    return words >= 2 or (words == 1 and confidence >= SINGLE_WORD_SWITCH_CONFIDENCE)


def answers_a_name(tracker: Tracker) -> bool:
    """True while the registration form waits for a name, e-mail, phone or ICE."""
    return bool(tracker.active_loop_name) and tracker.get_slot("requested_slot") in NAME_SLOTS


def _remember_choice(session: Session, *, channel: str, user: str, language: str) -> None:
    account = get_or_create_user(session, channel=channel, channel_user_id=user)
    set_user_language(session, user_id=account.id, language=language)


def _stored_choice(session: Session, *, channel: str, user: str) -> str | None:
    account = get_or_create_user(session, channel=channel, channel_user_id=user)
    return account.language


class ActionSetLanguage(Action):
    """Fill the `language` and `language_locked` slots after every user message."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        current = tracker.get_slot("language")
        channel, user = channel_identity(tracker)

        chosen = chosen_language(tracker)
        if chosen:
            try:
                await run_db(_remember_choice, channel=channel, user=user, language=chosen)
            except DatabaseUnavailable:
                logger.warning(
                    "language choice of %s kept in the conversation only",
                    user_ref(tracker.sender_id),
                )
            return [SlotSet("language", chosen), SlotSet("language_locked", True)]

        if tracker.get_slot("language_locked") and current in REPLY_LANGUAGES:
            return []

        if current is None:
            try:
                stored = await run_db(_stored_choice, channel=channel, user=user)
            except DatabaseUnavailable:
                stored = None
            if stored in REPLY_LANGUAGES:
                return [SlotSet("language", stored), SlotSet("language_locked", True)]

        message = tracker.latest_message
        detected = language_from_detection(message.get("language"), message.get("language_script"))
        confidence = float(message.get("language_confidence") or 0.0)
        hint = language_from_hint(latest_user_metadata(tracker).get("language_hint"))

        if current is not None and answers_a_name(tracker):
            return []
        if detected and shows_language(message, confidence):
            new = detected
        else:
            new = current or hint or detected or "fr"
        return [] if new == current else [SlotSet("language", new)]
