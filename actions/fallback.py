"""Low-confidence messages: a clarifying question with buttons of the likely topics."""

from __future__ import annotations

from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import reply_language

#: Likely topics offered as buttons.
MAX_OPTIONS: Final = 3
#: Offered when the message suggests no topic at all (an empty message), rather than a question
#: over a lone Help button.
MAIN_TOPICS: Final = ("ask_missions", "ask_market", "ask_tijaria")
#: Intents never offered: they are not topics (the title responses exist only for topics).
_NOT_TOPICS: Final = frozenset(
    {
        "nlu_fallback",
        "out_of_scope",
        "inform",
        "affirm",
        "deny",
        "dont_know",
        "greet",
        "goodbye",
        "thank",
    }
)
TITLE_PREFIX: Final = "utter_topic_"
#: Longest list a typed position is checked against (bot/choices.py sets the count).
MAX_CHOICES: Final = 100


def response_text(domain: dict[str, Any], name: str, lang: str) -> str | None:
    """The text of response ``name`` in ``lang``: its `language` variation, else the default."""
    default = None
    for variation in (domain.get("responses") or {}).get(name) or []:
        conditions = variation.get("condition") or []
        if not conditions:
            default = default or variation.get("text")
        elif any(c.get("name") == "language" and c.get("value") == lang for c in conditions):
            return variation.get("text")
    return default


def likely_intents(tracker: Tracker) -> list[str]:
    """Intents of the latest message's ranking, most confident first, topics only."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    ordered = sorted(ranking, key=lambda r: float(r.get("confidence") or 0.0), reverse=True)
    names = [str(r.get("name")) for r in ordered if r.get("name")]
    return [n for n in dict.fromkeys(names) if n not in _NOT_TOPICS]


def beyond_list(tracker: Tracker) -> int | None:
    """How many choices the list had when the latest message was a typed position beyond it
    (``/nlu_fallback{"choice_count": "4"}``, bot/choices.py); None otherwise."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "choice_count":
            value = str(entity.get("value") or "")
            if value.isascii() and value.isdigit() and 2 <= int(value) <= MAX_CHOICES:
                return int(value)
    return None


class ActionClarify(Action):
    """Answer nlu_fallback with "did you mean...?" and the likely topics as buttons; a position
    typed beyond a list with how many choices it has."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        count = beyond_list(tracker)
        if count is not None:
            dispatcher.utter_message(response="utter_choice_beyond_list", choice_count=count)
            return []
        lang = reply_language(tracker)
        buttons = []
        for intent in likely_intents(tracker):
            if intent == "help":  # offered last, always
                continue
            title = response_text(domain, TITLE_PREFIX + intent, lang)
            if title:
                buttons.append({"title": title, "payload": f"/{intent}"})
            if len(buttons) == MAX_OPTIONS:
                break
        if not buttons:  # no likely topic (an empty message): the main ones
            for intent in MAIN_TOPICS:
                title = response_text(domain, TITLE_PREFIX + intent, lang)
                if title:
                    buttons.append({"title": title, "payload": f"/{intent}"})
        if not buttons:  # no domain sent, or no titles in it: the generic menu
            dispatcher.utter_message(response="utter_please_rephrase")
            return []
        help_title = response_text(domain, TITLE_PREFIX + "help", lang)
        if help_title:
            buttons.append({"title": help_title, "payload": "/help"})
        dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        return []
