"""Human handoff: record the request with the conversation's context, route it by region, and
alert the region's delegate (or the head office) without delaying the reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import apologise, channel_identity, reply_language
from kb.access import DatabaseUnavailable, run_db
from kb.conversations import HANDLED_BY_PERSON
from kb.handoffs import ConversationTurn, HandoffOutcome, request_handoff
from kb.services import get_region
from kb.users import get_or_create_user
from kb.views import Texts
from nlu.vocabulary.canonical import is_region
from outbound.handoff_watch import notify_soon

#: How many of the latest user messages go with the request.
CONTEXT_TURNS: Final = 5
REGION_SLOT: Final = "region"
#: Slots of the dialogue's own bookkeeping, not shown to staff.
BOOKKEEPING_SLOTS: Final = frozenset({"requested_slot", "session_started_metadata"})


def _turn(event: dict[str, Any]) -> ConversationTurn:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return ConversationTurn(
        text=str(event.get("text") or ""),
        intent=intent.get("name"),
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
    )


def recent_turns(tracker: Tracker, limit: int = CONTEXT_TURNS) -> list[ConversationTurn]:
    """The latest user messages of the conversation (oldest first) with their intents and the
    NLU's confidence (messages a person handled during an earlier handoff left out)."""
    turns = [
        _turn(event)
        for event in tracker.events
        if event.get("event") == "user" and not (event.get("metadata") or {}).get(HANDLED_BY_PERSON)
    ]
    return turns[-limit:]


def filled_slots(tracker: Tracker) -> dict[str, Any]:
    """The conversation's filled slots (the form's answers among them), for staff."""
    return {
        name: value
        for name, value in tracker.slots.items()
        if value not in (None, "", []) and name not in BOOKKEEPING_SLOTS
    }


@dataclass(frozen=True)
class HandoffAnswer:
    """The handoff and the name of its region."""

    outcome: HandoffOutcome
    region_name: Texts | None


def open_handoff(
    session: Session,
    *,
    channel: str,
    channel_user_id: str,
    language: str,
    region: str | None,
    turns: list[ConversationTurn],
    slots: dict[str, Any] | None = None,
) -> HandoffAnswer:
    """Create (or refresh) the user's handoff request."""
    user = get_or_create_user(session, channel=channel, channel_user_id=channel_user_id)
    outcome = request_handoff(
        session, user_id=user.id, language=language, region=region, turns=turns, slots=slots
    )
    view = get_region(session, code=outcome.handoff.region) if outcome.handoff.region else None
    return HandoffAnswer(outcome, view.name if view else None)


class ActionHumanHandoff(Action):
    """Record a request to talk to ASMEX and tell the user what happens next."""

    def name(self) -> str:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        channel, user = channel_identity(tracker)
        region = tracker.get_slot(REGION_SLOT)
        try:
            answer = await run_db(
                open_handoff,
                channel=channel,
                channel_user_id=user,
                language=lang,
                region=region if isinstance(region, str) and is_region(region) else None,
                turns=recent_turns(tracker),
                slots=filled_slots(tracker),
            )
        except DatabaseUnavailable:
            return apologise(dispatcher, self.name())

        handoff = answer.outcome.handoff
        reference = str(handoff.id)
        if answer.outcome.created:
            notify_soon(handoff.id)  # staff alerts in a worker thread: the reply does not wait
        if not answer.outcome.created:
            dispatcher.utter_message(response="utter_handoff_already_open", reference=reference)
        elif handoff.delegate_name and answer.region_name:
            dispatcher.utter_message(
                response="utter_handoff_delegate",
                reference=reference,
                delegate_name=handoff.delegate_name,
                region_name=answer.region_name.get(lang),
            )
        else:
            dispatcher.utter_message(response="utter_handoff_asmex", reference=reference)
        return []
