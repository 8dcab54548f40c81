"""A script-independent consonant skeleton of a normalised text, shared by Darija's two scripts.

Darija is typed in Arabic script ("بغيت نتسجل") and in Latin script ("bghit ntsjl", "bghyt
nts2jl", "brit ntsajal"), each with many spellings. The skeleton writes Arabic letters with the
Latin letters and digits Arabizi uses for them (ع -> 3, ح -> 7, ق -> 9, ش -> ch, غ -> gh), unifies
Arabizi's own variants (sh -> ch, q -> 9, 5 -> kh), then keeps only the consonants of each word.
"بغيت", "bghit" and "bghyt" all become "bght"; "شنو", "chno" and "achno" become "chn". The intent
classifier gives the skeleton's character n-grams as a third block of features
(nlu/intent_features.py), so a phrasing learnt in one script helps the other.

Pure functions; the input is the classifier's prepared text (nlu.intent_features.prepare):
entity placeholders (xcountryx) pass through unchanged.
"""

from __future__ import annotations

import re
from typing import Final

#: Arabic letter (after nlu.normalize) -> the Latin letters or digit Arabizi writes for it.
_ARABIC_TO_ARABIZI: Final = str.maketrans(
    {
        "ا": "a", "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "7", "خ": "kh", "د": "d",
        "ذ": "d", "ر": "r", "ز": "z", "س": "s", "ش": "ch", "ص": "s", "ض": "d", "ط": "t",
        "ظ": "d", "ع": "3", "غ": "gh", "ف": "f", "ق": "9", "ك": "k", "ل": "l", "م": "m",
        "ن": "n", "ه": "h", "و": "w", "ي": "y", "ء": "", "ة": "a", "ى": "a", "گ": "g",
        "ڭ": "g", "ڤ": "v", "پ": "p",
    }
)  # fmt: skip
#: Arabizi spellings of one sound -> one spelling, applied in this order.
_ARABIZI_VARIANTS: Final = (("sh", "ch"), ("q", "9"), ("5", "kh"), ("2", ""), ("ou", "w"))
_VOWELS_RE: Final = re.compile(r"[aeiouwy]")
_DOUBLED_RE: Final = re.compile(r"(.)\1+")
_WORD_RE: Final = re.compile(r"\w+")
_PLACEHOLDER_RE: Final = re.compile(r"^x[a-z]+x$")
#: Shorter skeletons are dropped (a found bug: the name "Alaoui" read as "la", a refusal).
MIN_CONSONANTS: Final = 2


def skeleton_word(word: str) -> str:
    """The consonant skeleton of one Latin-script or transliterated word ("bghit" -> "bght")."""
    if _PLACEHOLDER_RE.match(word):
        return word
    for spelling, unified in _ARABIZI_VARIANTS:
        word = word.replace(spelling, unified)
    found = _DOUBLED_RE.sub(r"\1", _VOWELS_RE.sub("", word))
    # One consonant says too little: "la" (no), "Alaoui" and "lli" would all be "l".
    return found if len(found) >= MIN_CONSONANTS else ""


def skeleton(prepared: str) -> str:
    """The skeleton of a prepared text, word by word; words with no consonant are dropped."""
    words = _WORD_RE.findall(prepared.translate(_ARABIC_TO_ARABIZI))
    return " ".join(s for s in map(skeleton_word, words) if s)
