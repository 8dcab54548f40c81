"""Human handoff: record the request with the conversation's context, route it by region, and
alert the region's delegate (or the head office) without delaying the reply."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import apologise, channel_identity, reply_language
from core import settings
from core.office_hours import parse as parse_office_hours
from core.settings import SettingsError
from kb.access import DatabaseUnavailable, run_db
from kb.conversations import HANDLED_BY_PERSON
from kb.display import format_date
from kb.handoffs import ConversationTurn, HandoffOutcome, member_region, request_handoff
from kb.services import get_region, list_regions
from kb.users import get_or_create_user
from kb.views import Texts
from outbound.handoff_watch import notify_soon

logger = logging.getLogger(__name__)

#: How many of the latest user messages go with the request.
CONTEXT_TURNS: Final = 5
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
    #: (code, name) of every region when the member's own is not known: they are asked it.
    regions: list[tuple[str, Texts]] = field(default_factory=list)


def open_handoff(
    session: Session,
    *,
    channel: str,
    channel_user_id: str,
    language: str,
    turns: list[ConversationTurn],
    slots: dict[str, Any] | None = None,
) -> HandoffAnswer:
    """Create (or refresh) the user's handoff request, routed by the member's own region
    (not a region the conversation mentioned); the regions to pick from when it is unknown."""
    user = get_or_create_user(session, channel=channel, channel_user_id=channel_user_id)
    region = member_region(session, user_id=user.id)
    outcome = request_handoff(
        session, user_id=user.id, language=language, region=region, turns=turns, slots=slots
    )
    view = get_region(session, code=outcome.handoff.region) if outcome.handoff.region else None
    regions = [] if region else [(r.code, r.name) for r in list_regions(session)]
    return HandoffAnswer(outcome, view.name if view else None, regions)


def now() -> datetime:
    """The current time (tests move it: office hours)."""
    return datetime.now(timezone.utc)


def opening_text(opening: datetime, lang: str) -> str:
    """The next opening as the member reads it: "7 décembre 2026, 09:00"."""
    return f"{format_date(opening.date(), lang)}, {opening:%H:%M}"


def _next_opening() -> datetime | None:
    """When the office next opens (None while open, or when the settings are malformed: the
    member is then told nothing about hours rather than something wrong)."""
    config = settings.current()
    try:
        hours = parse_office_hours(config.office_hours, config.office_closed_days)
    except SettingsError as error:
        logger.warning("office hours not told: %s", error)
        return None
    return hours.next_opening(now())


def region_buttons(regions: list[tuple[str, Texts]], lang: str) -> list[dict[str, str]]:
    """One button per region; its payload is taken by the Rasa server (never the NLU)."""
    return [
        {"title": name.get(lang), "payload": "/handoff_region" + json.dumps({"region": code})}
        for code, name in regions
    ]


class ActionHumanHandoff(Action):
    """Record a request to talk to ASMEX and tell the user what happens next."""

    def name(self) -> str:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        channel, user = channel_identity(tracker)
        try:
            answer = await run_db(
                open_handoff,
                channel=channel,
                channel_user_id=user,
                language=lang,
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
        opening = _next_opening()
        if opening is not None:
            dispatcher.utter_message(
                response="utter_handoff_office_hours", opening=opening_text(opening, lang)
            )
        if answer.regions:
            dispatcher.utter_message(
                response="utter_ask_region", buttons=region_buttons(answer.regions, lang)
            )
        return []
