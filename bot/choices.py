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
   company name, an ICE or a sector: the question again). Outside one (no list, a position
   beyond it) it is the low-confidence intent: the clarifying question. A lone button ("Missions
   à venir") is a suggestion, not a list.

Twilio numbers the buttons of every message in its text (bot/twilio_whatsapp.py), so there a
bare number first picks from the latest message with buttons, as displayed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

from actions.ordinals import ORDINAL_POSITIONS
from bot.channel_texts import conversation_tracker
from nlu.normalize import normalize_text

#: What a position that nothing answers becomes outside a form: the low-confidence intent
#: (its rule asks the clarifying question).
UNANSWERED: Final = "/nlu_fallback"

_PREFIXES: Final = (
    "the",
    "la",
    "le",
    "el",
    "l'",
    "numero",
    "num",
    "no.",
    "n°",
    "nr",
    "number",
    "option",
    "choix",
    "choice",
    "raqm",
    "رقم",
    "الرقم",
    "#",
)
_POLITE: Final = (
    "stp",
    "svp",
    "s'il vous plait",
    "s'il te plait",
    "please",
    "pls",
    "plz",
    "afak",
    "3afak",
    "عفاك",
    "عافاك",
    "من فضلك",
    "لو سمحت",
)


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_CHOICE_RE: Final = re.compile(
    rf"^(?:(?:{_alternatives(_PREFIXES)})\s*)?"
    rf"(?:(?P<number>\d{{1,2}})|(?P<word>{_alternatives(ORDINAL_POSITIONS)}))"
    rf"[\s.!?)]*(?:(?:{_alternatives(_POLITE)})[\s.!?]*)?$"
)
#: "2️⃣" is "2", U+FE0F and U+20E3.
_EMOJI_STYLE: Final = "\ufe0f"
_KEYCAP: Final = "\u20e3"
_BARE_NUMBER_RE: Final = re.compile(r"^(\d{1,2})[\s.)]*$")
_LINK_RE: Final = re.compile(r"^https?://", re.IGNORECASE)


def _normalized(text: str | None) -> str:
    """The text as NLU normalizes it, keycap digits ("2️⃣") as plain ones."""
    return normalize_text((text or "").replace(_KEYCAP, "").replace(_EMOJI_STYLE, ""))


def choice_position(text: str | None) -> int | None:
    """The position a message consisting only of a choice names (1, 2... or -1 for the last),
    or None when the message says anything else."""
    match = _CHOICE_RE.match(_normalized(text))
    if not match:
        return None
    if match.group("number") is not None:
        number = int(match.group("number"))
        return number if number > 0 else None
    return ORDINAL_POSITIONS[match.group("word")]


def bare_number(text: str | None) -> int | None:
    """The number a message consists of ("2", " ٢ ", "3."), or None."""
    match = _BARE_NUMBER_RE.match(_normalized(text))
    return int(match.group(1)) if match else None


# --- what the bot's latest turn offered ----------------------------------------------------------


def _payload(button: Any) -> str | None:
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
            payloads = [p for p in map(_payload, buttons) if p and (links or not _LINK_RE.match(p))]
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


def _at(items: Sequence[str], position: int) -> str | None:
    if position == -1:
        return items[-1] if items else None
    return items[position - 1] if 1 <= position <= len(items) else None


def _details_payload(slug: str) -> str:
    return "/ask_mission_details" + json.dumps({"event_slug": slug}, ensure_ascii=False)


def _unanswered(tracker: Any) -> str | None:
    """Nothing answers the position: None inside a form (the text goes to the form, whose
    checks answer it), else UNANSWERED."""
    return None if getattr(tracker, "active_loop_name", None) else UNANSWERED


def pick(tracker: Any, position: int) -> str | None:
    """The payload ``position`` picks in the conversation ``tracker`` (None when the user has
    no conversation yet), or None inside a form when nothing answers it."""
    if tracker is None:
        return UNANSWERED
    choices = turn_choices(tracker.events)
    picked = _at(choices, position)
    if picked is not None:
        return picked
    if choices or getattr(tracker, "active_loop_name", None):
        return _unanswered(tracker)
    listed = tracker.get_slot("listed_events")
    if isinstance(listed, list):
        slug = _at([str(s) for s in listed], position)
        if slug:
            return _details_payload(slug)
    return UNANSWERED


async def resolve_choice(agent: Any, sender: str, text: str, *, numbers_shown: bool = False) -> str:
    """What to hand Rasa for a typed message: the payload of the choice it names, or ``text``
    unchanged when it names none. ``numbers_shown``: the channel writes the buttons' numbers
    (Twilio). Without an agent (no tracker store) the text is left to NLU."""
    position = choice_position(text)
    if position is None or agent is None:
        return text
    tracker = await conversation_tracker(agent, sender)
    number = bare_number(text) if numbers_shown else None
    if number is not None and tracker is not None:
        # The numbers shown are those of the latest message with buttons (links included).
        shown = turn_messages_with_buttons(tracker.events, links=True)
        if shown:
            return _at(shown[-1], number) or _unanswered(tracker) or text
    return pick(tracker, position) or text
