"""Positions in a list a message points at: "la deuxième", "التانية", "tania", "the last one",
"numéro 4", "رقم 2". Used by the actions (an event of the last list shown, inside a sentence)
and by the channels (a message that is only a choice, bot/choices.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from nlu.normalize import normalize_text

_ORDINAL_WORDS: Final[dict[int, tuple[str, ...]]] = {
    1: (
        "premier",
        "premiere",
        "1er",
        "1ere",
        "1re",
        "first",
        "1st",
        "الاول",
        "الاولي",
        "الاولى",
        "اول",
        "اولي",
        "lwla",
        "lowla",
        "louwla",
        "lawla",
        "l'ewla",
        "lewla",
        "loula",
        "lwel",
        "lowel",
        "lawel",
    ),
    2: (
        "deuxieme",
        "2e",
        "2eme",
        "2nd",
        "second",
        "seconde",
        "second one",
        "secound",
        "الثاني",
        "الثانيه",
        "التاني",
        "التانيه",
        "ثاني",
        "ثانيه",
        "تانيه",
        "tania",
        "tanya",
        "taniya",
        "ttania",
        "ttanya",
        "ltania",
        "tani",
        "ttani",
    ),
    3: (
        "troisieme",
        "3e",
        "3eme",
        "third",
        "3rd",
        "الثالث",
        "الثالثه",
        "التالت",
        "التالته",
        "ثالث",
        "ثالثه",
        "talta",
        "ttalta",
        "taleta",
        "talt",
        "ttalt",
    ),
    4: ("quatrieme", "4e", "4eme", "fourth", "4th", "الرابع", "الرابعه", "rab3a", "rrab3a"),
    5: ("cinquieme", "5e", "5eme", "fifth", "5th", "الخامس", "الخامسه", "khamsa", "lkhamsa"),
    -1: (
        "derniere",
        "dernier",
        "last",
        "last one",
        "الاخير",
        "الاخيره",
        "اللخر",
        "اللخره",
        "الاخر",
        "الاخره",
        "lkhra",
        "lakhra",
        "lkhera",
        "lekhra",
        "lakhira",
        "akhira",
        "lkher",
    ),
}
#: Each ordinal word (normalized) and the position it names (-1: the last).
ORDINAL_POSITIONS: Final = {word: n for n, words in _ORDINAL_WORDS.items() for word in words}
#: Words that introduce a position's number: "numéro 4", "n°4", "رقم 2" (normalized).
_NUMBER_WORDS: Final = ("numero", "num", "no.", "n°", "nr", "number", "raqm", "رقم", "الرقم")
#: What else may stand before the position in a message that is only a choice: "la 2".
_ARTICLES: Final = ("the", "la", "le", "el", "l'", "option", "choix", "choice", "#")
#: What may follow it: "2 stp", "التانية عفاك".
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


_ORDINAL_RE: Final = re.compile(rf"(?<![\w'])({_alternatives(ORDINAL_POSITIONS)})(?![\w'])")
# In a sentence a bare "no" counts too ("no 3"); alone, "no 2" may be a refusal.
_NUMBERED_RE: Final = re.compile(
    rf"(?<!\w)(?:{_alternatives((*_NUMBER_WORDS, 'no'))}) ?(\d{{1,2}})\b"
)
_CHOICE_RE: Final = re.compile(
    rf"^(?:(?:{_alternatives(_ARTICLES + _NUMBER_WORDS)})\s*)?"
    rf"(?:(?P<number>\d{{1,2}})|(?P<word>{_alternatives(ORDINAL_POSITIONS)})(?: one)?)"
    rf"[\s.!?)]*(?:(?:{_alternatives(_POLITE)})[\s.!?]*)?$"
)
_BARE_NUMBER_RE: Final = re.compile(r"^(\d{1,2})[\s.)]*$")
#: "2️⃣" is "2", U+FE0F and U+20E3.
_EMOJI_STYLE: Final = "\ufe0f"
_KEYCAP: Final = "\u20e3"


def ordinal_from_text(text: str) -> int | None:
    """Position a message points at: 1, 2, 3... or -1 for "the last"; None when none."""
    if not text:
        return None
    normalized = normalize_text(text)
    numbered = _NUMBERED_RE.search(normalized)
    if numbered:
        value = int(numbered.group(1))
        return value if value > 0 else None
    match = _ORDINAL_RE.search(normalized)
    return ORDINAL_POSITIONS[match.group(1)] if match else None


def _normalized(text: str | None) -> str:
    """The text as NLU normalizes it, keycap digits ("2️⃣") as plain ones."""
    return normalize_text((text or "").replace(_KEYCAP, "").replace(_EMOJI_STYLE, ""))


def choice_position(text: str | None) -> int | None:
    """The position a message consisting only of a choice names ("2", "la 2", "n°3", "رقم ٢",
    "la deuxième", "tania", "the last one"): 1, 2... or -1 for the last; None when the message
    says anything else."""
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


def named_position(text: str | None) -> int | None:
    """The position a message names, alone ("2", "la 2", "٢", "2️⃣") or inside a sentence ("la
    deuxième mission", "numéro 3 stp"): 1, 2... or -1 for the last; None when none."""
    return choice_position(text) or ordinal_from_text(text or "")


def pick_listed(listed: Sequence[str], position: int | None) -> str | None:
    """The item at a 1-based position (-1: last) of a list, or None."""
    if not listed or position is None:
        return None
    if position == -1:
        return listed[-1]
    return listed[position - 1] if 1 <= position <= len(listed) else None
