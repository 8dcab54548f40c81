"""Positions in a list a message points at: "la deuxième", "التانية", "tania", "the last one",
"numéro 4", "رقم 2". Used by the actions (an event of the last list shown) and by the channels
(a typed choice, bot/choices.py).
"""

from __future__ import annotations

import re
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
_ORDINAL_RE: Final = re.compile(
    r"(?<![\w'])("
    + "|".join(sorted(map(re.escape, ORDINAL_POSITIONS), key=len, reverse=True))
    + r")(?![\w'])"
)
_NUMBERED_RE: Final = re.compile(r"(?:\b(?:numero|num|n°|no\.?|number|nr|raqm)|رقم) ?(\d{1,2})\b")


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
