"""Elliptical turns: a bare answer (`inform`) to the question the assistant asked, and a
follow-up (`follow_up`: "et en Tanzanie ?", "w f Dubai?", "و في كينيا؟", "and in April?")
that repeats the member's last question with only the entity it names changed.

Looking back for that question, short turns that keep the subject ("oui", "non merci",
"merci", "je sais pas", a language switch) are passed over, and so are the answers of the
registration form the member is filling in; any other request ends the look-back."""

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
from actions.registration.answers import FORM_SLOTS
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
#: Short turns that keep the subject: "oui", "non merci", "merci", "je sais pas", "parle-moi en
#: arabe". A greeting is not one of them: it opens a new exchange (a member back after a pause),
#: and a follow-up right after it gets "please rephrase" rather than a guess from before it.
TRANSPARENT: Final = frozenset({"affirm", "deny", "thank", "dont_know", "change_language"})
#: Inside the registration form, its answers ("Atlas Export SARL", "oui", an unclear text, a
#: greeting or thanks taken as an answer, the event chosen) are passed over too.
FORM_ANSWERS: Final = TRANSPARENT | {"inform", "nlu_fallback", "greet", "register_mission"}
#: A message that started the form (FORM_START_INTENT) and names what it is about ("je veux
#: m'inscrire à la mission au Kenya"), with no question before it, is followed up as a
#: question about events (FORM_START_AS).
FORM_START_INTENT: Final = "register_mission"
FORM_START_AS: Final = "ask_missions"
#: Entities naming a place: a follow-up naming one replaces all of them.
PLACE: Final = ("country", "region", "bloc")
#: Entities of a form's first message that make it a question about events.
TOPICS: Final = (*PLACE, "sector", "event_type")
#: User turns looked back at to find the question (the current form's answers not counted).
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


def _user_turns(tracker: Tracker) -> list[tuple[Turn, str | None]]:
    """The user messages of the latest session, oldest first, each with the loop (form) that
    was active when it came."""
    turns: list[tuple[Turn, str | None]] = []
    loop: str | None = None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "session_started":
            turns, loop = [], None
        elif kind == "active_loop":
            loop = event.get("name")
        elif kind == "user":
            turns.append((_turn(event.get("parse_data") or {}), loop))
    return turns


def _form_start(turns: list[tuple[Turn, str | None]], form: str | None) -> tuple[int, Turn | None]:
    """How many of the latest turns belong to the form being filled in, with the message that
    started it (None outside a form)."""
    if form is None:
        return 0, None
    inside = 0
    while inside < len(turns) and turns[-1 - inside][1] == form:
        inside += 1
    start = turns[-1 - inside][0] if inside < len(turns) else None
    if start is None or start.intent != FORM_START_INTENT:
        return inside, None
    return inside + 1, start


def previous_question(tracker: Tracker) -> tuple[Turn, list[Turn]] | None:
    """The member's last question before the latest message, and the follow-ups that came
    after it (oldest first); None when the conversation has none to repeat.

    Short turns that keep the subject (TRANSPARENT) are passed over; inside the registration
    form, its answers too, back to the question asked before the form."""
    turns = _user_turns(tracker)[:-1]
    inside, start = _form_start(turns, tracker.active_loop_name)
    in_form: list[Turn] = []
    for turn, _ in reversed(turns[len(turns) - inside :] if inside else []):
        if turn.intent in QUESTIONS:
            return turn, in_form[::-1]
        if turn.intent == "follow_up":
            in_form.append(turn)
        elif turn.intent not in FORM_ANSWERS:
            return None
    between = list(in_form)
    for turn, loop in reversed(turns[: len(turns) - inside][-LOOKBACK:]):
        if turn.intent in QUESTIONS:
            return turn, between[::-1]
        if loop is not None or turn.intent not in (*ELLIPTICAL, *TRANSPARENT):
            break  # another request, or a form filled in before
        if turn.intent in ELLIPTICAL:
            between.append(turn)
    named = {k: v for k, v in start.entities.items() if k in TOPICS} if start else {}
    if start is not None and named:
        return Turn(FORM_START_AS, start.text, named), in_form[::-1]
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
    events = await QUESTIONS[question.intent]().run(dispatcher, changed, domain)
    if tracker.active_loop_name:
        # Answered inside the registration form: its answers and its event stay as they were.
        return [e for e in events if not (e.get("event") == "slot" and e.get("name") in FORM_SLOTS)]
    return events


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
