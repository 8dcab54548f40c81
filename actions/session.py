"""A conversation's new session: the slots carried over, and a greeting when the member
typed ``/session_start`` themselves (Rasa's own action answers nothing)."""

from __future__ import annotations

from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

#: Intent of a typed ``/session_start`` (Rasa's default intent, mapped to this action).
SESSION_START_INTENT: Final = "session_start"
#: The question of a form: no form is active in a new session (ActiveLoop is not carried).
_NOT_CARRIED: Final = frozenset({"requested_slot"})


def typed_by_member(tracker: Tracker) -> bool:
    """Whether this session start answers the member's own ``/session_start`` message.

    Rasa also starts a session by itself before the first message of a conversation, or
    after a pause: then the latest turn ended with ``action_listen`` (or nothing happened
    yet), and the member's latest message, if any, belongs to the session that ended.
    """
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            return intent.get("name") == SESSION_START_INTENT
        if kind in ("session_started", "restart") or (
            kind == "action" and event.get("name") == "action_listen"
        ):
            return False
    return False


def carried_over(tracker: Tracker) -> list[EventType]:
    """The slots the new session starts with, as Rasa's own action carries them
    (domain.yml: carry_over_slots_to_new_session): every slot that has a value."""
    return [
        SlotSet(name, value)
        for name, value in tracker.current_slot_values().items()
        if value is not None and name not in _NOT_CARRIED
    ]


class ActionSessionStart(Action):
    """Start a session as Rasa does; greet, in the member's language, only when asked to."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if typed_by_member(tracker):
            # Generated before the events below apply: in the conversation's language.
            dispatcher.utter_message(response="utter_session_started")
        return [SessionStarted(), *carried_over(tracker), ActionExecuted("action_listen")]
