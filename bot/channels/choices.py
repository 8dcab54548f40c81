"""Typed choices: a message that only names a position ("2", "la 2", "n°3", "رقم ٢", "la
deuxième", "التانية", "tania", "the last one") picks that choice of the bot's latest turn, as
tapping it would: the channel hands Rasa the choice's payload instead of the text.

NLU cannot read these alone: "1" looked like a trade-agreement question, "la 2" like a Darija
"no" that stopped a registration. What the position picks, from the conversation tracker (Rasa's
tracker store, shared by every replica, so it survives restarts):

1. The bot's latest turn offered a list (at least two choices): one message with buttons offers
   its buttons; several messages with buttons (a list of events, of registrations) offer one
   item each, that message's first button (an event's details, a registration's cancel, which
   asks for confirmation). The position picks one of them; "la dernière" the last.
2. Otherwise, outside a form, the last list of events shown (``listed_events``): the position
   opens that event's details, as "la deuxième" does in a sentence.
3. Inside a form, anything else is left to the form, whose checks answer it ("3" is not a
   company name, an ICE or a sector: the question again). Outside one, a position beyond a list
   of N choices is the low-confidence intent told N (``/nlu_fallback{"choice_count": "N"}``:
   "that list only has N choices"); with no list at all, the plain low-confidence intent, the
   clarifying question. A lone button ("Missions à venir") is a suggestion, not a list.

Twilio numbers the buttons of every message in its text (outbound/twilio.py), so there a
bare number first picks from the latest message with buttons, as displayed.

A short message naming one Moroccan region or city ("Agadir", "أنا ف وجدة", "casa") picks the
region button of the bot's latest turn that it names, when that turn offered the regions (the
question asked before routing a request for an adviser): typed, as tapped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from bot.channels.handoff_texts import region_of
from bot.channels.texts import conversation_tracker
from kb.display import payload
from nlu.vocabulary.gazetteer import load_gazetteer
from nlu.vocabulary.ordinals import bare_number, choice_position, pick_listed

#: What a position that nothing answers becomes outside a form: the low-confidence intent
#: (its rule asks the clarifying question).
UNANSWERED: Final = "/nlu_fallback"
#: The entity telling the clarifying question how many choices a list had.
CHOICE_COUNT: Final = "choice_count"
#: The most words a message naming a region may have to pick a region button ("je suis à
#: Agadir", "أنا من جهة سوس ماسة"): longer ones are requests, left to NLU.
REGION_WORDS: Final = 6

_LINK_RE: Final = re.compile(r"^https?://", re.IGNORECASE)


# --- what the bot's latest turn offered ----------------------------------------------------------


def _tapped(button: Any) -> str | None:
    """What tapping ``button`` sends."""
    if not isinstance(button, dict):
        return None
    value = button.get("payload") or button.get("title")
    return str(value) if value else None


def turn_messages_with_buttons(events: Iterable[Any], *, links: bool = False) -> list[list[str]]:
    """The button payloads of each bot message since the user's latest message, in order;
    without ``links``, link buttons (they open a page, they are not choices) are left out."""
    messages: list[list[str]] = []
    for event in reversed(list(events)):
        name = getattr(event, "type_name", "")
        if name == "user":
            break
        if name == "bot":
            buttons = (getattr(event, "data", None) or {}).get("buttons") or []
            payloads = [p for p in map(_tapped, buttons) if p and (links or not _LINK_RE.match(p))]
            if payloads:
                messages.append(payloads)
    messages.reverse()
    return messages


def turn_choices(events: Iterable[Any]) -> list[str]:
    """The choices the bot's latest turn offered (module docstring, rule 1); empty when fewer
    than two."""
    messages = turn_messages_with_buttons(events)
    choices = messages[0] if len(messages) == 1 else [buttons[0] for buttons in messages]
    return choices if len(choices) >= 2 else []


def beyond(count: int) -> str:
    """What a position beyond a list of ``count`` choices becomes outside a form: UNANSWERED,
    told the count of a list (two choices or more) for action_clarify to say it."""
    return payload("nlu_fallback", **{CHOICE_COUNT: str(count)}) if count >= 2 else UNANSWERED


def _unanswered(tracker: Any, count: int = 0) -> str | None:
    """Nothing answers the position, beyond a list of ``count`` choices (0: no list): None
    inside a form (the text goes to the form, whose checks answer it), else ``beyond``."""
    return None if getattr(tracker, "active_loop_name", None) else beyond(count)


def pick(tracker: Any, position: int) -> str | None:
    """The payload ``position`` picks in the conversation ``tracker`` (None when the user has
    no conversation yet), or None inside a form when nothing answers it."""
    if tracker is None:
        return UNANSWERED
    choices = turn_choices(tracker.events)
    picked = pick_listed(choices, position)
    if picked is not None:
        return picked
    if choices or getattr(tracker, "active_loop_name", None):
        return _unanswered(tracker, len(choices))
    listed = tracker.get_slot("listed_events")
    if isinstance(listed, list):
        slug = pick_listed([str(s) for s in listed], position)
        if slug:
            return payload("ask_mission_details", event_slug=slug)
        return _unanswered(tracker, len(listed))
    return UNANSWERED


def named_region(text: str) -> str | None:
    """The one region a short message names (a region or one of its cities), else None."""
    if len(text.split()) > REGION_WORDS:
        return None
    regions = {m.value for m in load_gazetteer().find_all(text) if m.entity == "region"}
    return regions.pop() if len(regions) == 1 else None


def region_choice(choices: list[str], region: str) -> str | None:
    """The region button among ``choices`` for ``region``, if the turn offered it."""
    return next((choice for choice in choices if region_of(choice) == region), None)


async def resolve_choice(agent: Any, sender: str, text: str, *, numbers_shown: bool = False) -> str:
    """What to hand Rasa for a typed message: the payload of the choice it names, or ``text``
    unchanged when it names none. ``numbers_shown``: the channel writes the buttons' numbers
    (Twilio). Without an agent (no tracker store) the text is left to NLU."""
    if agent is None:
        return text
    position = choice_position(text)
    if position is None:
        region = named_region(text)
        if region is None:
            return text
        tracker = await conversation_tracker(agent, sender)
        choices = turn_choices(tracker.events) if tracker is not None else []
        return region_choice(choices, region) or text
    tracker = await conversation_tracker(agent, sender)
    number = bare_number(text) if numbers_shown else None
    if number is not None and tracker is not None:
        # The numbers shown are those of the latest message with buttons (links included).
        shown = turn_messages_with_buttons(tracker.events, links=True)
        if shown:
            return pick_listed(shown[-1], number) or _unanswered(tracker, len(shown[-1])) or text
    return pick(tracker, position) or text
