"""Words of a question asking for one detail of an event: who led it, who came, what was
agreed, its sectors, date or place ("qui a conduit...", "شكون جا", "fo9ach ja lwafd")."""

from __future__ import annotations

import re
from typing import Final

from nlu.normalize import normalize_text

_ARABIC = re.compile("[\u0600-\u06ff]")


def _words(text: str) -> tuple[str, ...]:
    return tuple(normalize_text(w) for w in text.split("|"))


#: Details in the order they are looked for; each word is matched on the normalised text.
DETAIL_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "led_by": _words(
        "conduit|conduite|mene|menee|dirige|dirigee|preside|presidee|emmene|emmenee|"
        "a la tete|who led|led by|led it|headed|leader|chef de|قاد|بقياده|ترأس|تراس|"
        "راس الوفد|رييس الوفد|9ad|qad|kan ras|ra2es"
    ),
    "participants": _words(
        "qui est venu|qui etait|qui a participe|participants|participe|composee|who came|"
        "who was|who attended|attended|who took part|من حضر|شكون جا|شكون حضر|من جاء|"
        "الحاضرين|من شارك|شكون شارك|chkoun ja|chkon ja|chkoun jaw|chkoun hdar|chkoun char"
    ),
    "outcomes": _words(
        "resultat|retenu|decide|annonce|outcome|result|agreed|came out|decided|نتايج|"
        "النتايج|تقرر|اتفق|شنو خرج|tqrr|t9rr|natija|conclu"
    ),
    "sectors": _words(
        "secteur|filiere|domaine|sector|industries|قطاع|القطاعات|9ita3|9ita3at|qita3at|"
        "qita3|sekteur"
    ),
    "date": _words(
        "quand|quelle date|date|when|what date|متي|امتي|فوقاش|وقتاش|تاريخ|imta|emta|"
        "fo9ach|fou9ach|waqtach|wa9tach"
    ),
    "place": _words("ou a eu lieu|ou s'est|where|lieu|اين|فين|فاين|fin kan"),
}


def _has(text: str, word: str) -> bool:
    """Arabic words inside a word (clitics glued to them), Latin ones as whole words."""
    if _ARABIC.search(word):
        return word in text
    return re.search(rf"(?<!\w){re.escape(word)}s?(?!\w)", text) is not None


def asked_detail(text: str) -> str | None:
    """The detail of an event a question asks for, if any (first in DETAIL_WORDS order)."""
    norm = normalize_text(text)
    for detail, words in DETAIL_WORDS.items():
        if any(_has(norm, w) for w in words):
            return detail
    return None
