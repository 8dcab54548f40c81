"""Elliptical turns: a bare answer (`inform`) to the question the assistant asked, and a
follow-up (`follow_up`: "et en Tanzanie ?", "w f Dubai?", "و في كينيا؟", "and in April?")
that repeats the member's last question with only the entity it names changed."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.asmex import ActionAsmex
from actions.common import AWAITING
from actions.markets import ActionMarketProfile, ActionTradeAgreement
from actions.missions import ActionListMissions, ActionMissionDetails
from actions.services import ActionRegionalOffice
from core import clock
from nlu.vocabulary.areas import area_in_text
from nlu.vocabulary.periods import period_from_text

#: awaiting_answer value -> the action that asked for it.
ROUTES: dict[str, type[Action]] = {
    "market": ActionMarketProfile,
    "agreement": ActionTradeAgreement,
    "region": ActionRegionalOffice,
}

#: Intents of a question a follow-up may repeat -> the action answering it.
QUESTIONS: Final[dict[str, type[Action]]] = {
    "ask_missions": ActionListMissions,
    "ask_mission_details": ActionMissionDetails,
    "ask_market": ActionMarketProfile,
    "ask_trade_agreement": ActionTradeAgreement,
    "ask_regional_office": ActionRegionalOffice,
    "ask_asmex": ActionAsmex,
}
#: Intents of an elliptical turn, merged into the question they follow.
ELLIPTICAL: Final = ("follow_up", "inform")
#: Entities naming a place: a follow-up naming one replaces all of them.
PLACE: Final = ("country", "region", "bloc")
#: User turns looked back at to find the question.
LOOKBACK: Final = 8


@dataclass(frozen=True)
class Turn:
    """One user message: its intent, text and entities (name -> first value)."""

    intent: str
    text: str
    entities: dict[str, str]


def _turn(parse: dict[str, Any]) -> Turn:
    entities: dict[str, str] = {}
    for entity in parse.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if name and isinstance(value, str) and value and name not in entities:
            entities[name] = value
    text = parse.get("text") or ""
    return Turn(
        intent=(parse.get("intent") or {}).get("name") or "",
        text="" if text.startswith("/") else text,
        entities=entities,
    )


def previous_question(tracker: Tracker) -> tuple[Turn, list[Turn]] | None:
    """The member's last question before the latest message, and the elliptical turns that
    followed it (oldest first); None when the conversation has none to repeat."""
    users = [e for e in tracker.events if e.get("event") in ("user", "session_started")]
    between: list[Turn] = []
    for event in reversed(users[:-1][-LOOKBACK:]):
        if event.get("event") == "session_started":
            return None
        turn = _turn(event.get("parse_data") or {})
        if turn.intent in QUESTIONS:
            return turn, list(reversed(between))
        if turn.intent not in ELLIPTICAL:
            return None
        between.append(turn)
    return None


def _apply(entities: dict[str, str], turn: Turn) -> dict[str, str]:
    merged = dict(entities)
    if any(k in turn.entities for k in PLACE) or area_in_text(turn.text):
        for key in PLACE:
            merged.pop(key, None)
    merged.update(turn.entities)
    return merged


def merged_message(question: Turn, turns: list[Turn]) -> dict[str, Any]:
    """The question as the follow-ups change it: their entities replace the question's of the
    same kind (a place replaces any place); its world region and period are kept unless a
    follow-up names its own."""
    today = clock.today()
    entities = question.entities
    area_text = question.text if area_in_text(question.text) else ""
    period_text = question.text if period_from_text(question.text, today) else ""
    for turn in turns:
        if any(k in turn.entities for k in PLACE):
            area_text = ""
        entities = _apply(entities, turn)
        if area_in_text(turn.text):
            area_text = turn.text
        if period_from_text(turn.text, today):
            period_text = turn.text
    last = turns[-1].text if turns else question.text
    text = " ".join(dict.fromkeys(t for t in (area_text, period_text) if t)) or last
    return {
        "intent": {"name": question.intent, "confidence": 1.0},
        "entities": [{"entity": k, "value": v} for k, v in entities.items()],
        "text": text,
    }


async def repeat_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[EventType] | None:
    """Answer the latest message as the last question with its entities changed; None when
    there is no question to repeat."""
    found = previous_question(tracker)
    if found is None:
        return None
    question, between = found
    latest = _turn({**tracker.latest_message, "intent": {"name": "follow_up"}})
    changed = copy.copy(tracker)
    changed.latest_message = {
        **tracker.latest_message,
        **merged_message(question, [*between, latest]),
    }
    return await QUESTIONS[question.intent]().run(dispatcher, changed, domain)


class ActionRouteInform(Action):
    """A bare "Kenya" / "Agadir": to the action that asked for it, else as a follow-up of the
    last question, else ask to rephrase."""

    def name(self) -> str:
        return "action_route_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        route = ROUTES.get(tracker.get_slot(AWAITING) or "")
        if route is not None:
            return await route().run(dispatcher, tracker, domain)
        events = await repeat_question(dispatcher, tracker, domain)
        if events is None:
            dispatcher.utter_message(response="utter_please_rephrase")
            return []
        return events


class ActionFollowUp(Action):
    """ "et en Tanzanie ?" after "missions à venir au Kenya": Tanzania's events, not its
    market sheet. Without a question before it, a bare answer (awaiting_answer), else ask to
    rephrase."""

    def name(self) -> str:
        return "action_follow_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events = await repeat_question(dispatcher, tracker, domain)
        if events is not None:
            return events
        route = ROUTES.get(tracker.get_slot(AWAITING) or "")
        if route is not None:
            return await route().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_please_rephrase")
        return []
