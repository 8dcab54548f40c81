"""Script-aware text normalisation for French, Arabic, Darija (both scripts) and English.

Pure functions with precompiled patterns, in the manner of CAMeL-Lab camel_tools
``utils/normalize.py``. Nothing here depends on Rasa.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Script = Literal["arab", "latin", "mixed", "none"]

# Arabic letters proper (U+0621-U+064A) plus the extended letters Darija writers use
# (U+0671-U+06D3: alef wasla, keheh, gaf, veh, farsi yeh...) and presentation forms.
_ARABIC_LETTER_RE = re.compile(
    "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06fc\ufb50-\ufdff\ufe70-\ufefc]"
)
_LATIN_LETTER_RE = re.compile("[a-zA-Z\u00c0-\u024f]")

_ALEF_VARIANTS_RE = re.compile("[\u0622\u0623\u0625\u0671\u0672\u0673]")  # آ أ إ ٱ ٲ ٳ
_ALEF_MAQSURA_RE = re.compile("\u0649")  # ى
_TA_MARBUTA_RE = re.compile("\u0629")  # ة
_HAMZA_WAW_RE = re.compile("\u0624")  # ؤ
_HAMZA_YA_RE = re.compile("\u0626")  # ئ
_KEHEH_RE = re.compile("[\u06a9\u06aa]")  # ک ڪ -> ك
_FARSI_YEH_RE = re.compile("[\u06cc\u06d0\u06d2]")  # ی ې ے -> ي
# Harakat, tanwin, shadda, sukun (U+064B-U+0652), dagger alef (U+0670), Quranic marks.
_DIACRITICS_RE = re.compile("[\u064b-\u0652\u0670\u0610-\u061a\u06d6-\u06ed]")
_TATWEEL_RE = re.compile("\u0640")

# Arabic-Indic (U+0660-0669) and Eastern Arabic-Indic (U+06F0-06F9) digits -> ASCII.
_DIGIT_TABLE = str.maketrans(
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
    "01234567890123456789",
)

# Three or more of the same letter (not digit) -> two: "merciiii" -> "mercii", "بزااااف" -> "بزااف".
_REPEAT_RE = re.compile(r"([^\W\d_])\1{2,}")
_COMBINING_RE = re.compile("[\u0300-\u036f]")
_SPACES_RE = re.compile(r"\s+")

# A word where a digit stands for an Arabic letter: 3=ع 7=ح 9=ق 5=خ 2=ء (6=ط, 8=ه are rarer).
_ARABIZI_WORD_RE = re.compile(
    r"(?<![\w])"
    r"(?:[a-z]+[23579][a-z]*|[23579][a-z]{2,})"
    r"(?![\w])"
)
# Digit-letter words that are not Arabizi: ordinals, units, times, tech words.
_NOT_ARABIZI_RE = re.compile(
    r"^(?:\d(?:e|er|ere|eme|em|nd|rd|th|st|h|k|m|g|km|kg|mn|min|dh|mad|am|pm|x|d|ans|mois|j|jours|fois)"
    r"|x\d|b2b|b2c|b2g|c2c|p2p|g2g|mp3|mp4|h24|a2|b2|c2|ps5|f5|k7)$"
)


def to_ascii_digits(text: str) -> str:
    """Map Arabic-Indic (U+0660-0669) and Eastern (U+06F0-06F9) digits to 0-9."""
    return text.translate(_DIGIT_TABLE)


def remove_diacritics(text: str) -> str:
    """Remove Arabic harakat, tanwin, shadda, sukun, dagger alef and Quranic marks."""
    return _DIACRITICS_RE.sub("", text)


def remove_tatweel(text: str) -> str:
    """Remove the Arabic tatweel (kashida) U+0640."""
    return _TATWEEL_RE.sub("", text)


def collapse_repeats(text: str) -> str:
    """Shorten runs of three or more identical letters to two ("bzaaaaf" -> "bzaaf")."""
    return _REPEAT_RE.sub(r"\1\1", text)


def normalize_arabic(text: str) -> str:
    """Orthographic normalisation of Arabic script.

    Removes diacritics and tatweel, unifies alef variants to bare alef, alef maqsura to ya,
    ta marbuta to ha, hamza on waw/ya to waw/ya, and Persian keheh/yeh to Arabic kaf/ya.
    """
    text = remove_diacritics(remove_tatweel(text))
    text = _ALEF_VARIANTS_RE.sub("\u0627", text)
    text = _ALEF_MAQSURA_RE.sub("\u064a", text)
    text = _TA_MARBUTA_RE.sub("\u0647", text)
    text = _HAMZA_WAW_RE.sub("\u0648", text)
    text = _HAMZA_YA_RE.sub("\u064a", text)
    text = _KEHEH_RE.sub("\u0643", text)
    return _FARSI_YEH_RE.sub("\u064a", text)


def strip_accents(text: str) -> str:
    """Remove Latin accents: "évènement" -> "evenement", "ç" -> "c"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", _COMBINING_RE.sub("", decomposed))


def normalize_latin(text: str) -> str:
    """Casefold, strip accents and shorten letter runs; Arabizi digits (l3am, 7na) are kept."""
    text = strip_accents(text.casefold())
    text = text.replace("\u2019", "'").replace("\u0153", "oe").replace("\u00e6", "ae")
    return collapse_repeats(text)


def normalize_text(text: str) -> str:
    """Full normalisation: digits, Arabic orthography, Latin case/accents, letter runs, spaces.

    Each rule only touches its own script, so mixed messages are handled in one pass and
    the result never contains characters the input did not (apart from unified forms).
    """
    if not text:
        return ""
    text = to_ascii_digits(text)
    if _ARABIC_LETTER_RE.search(text) or _DIACRITICS_RE.search(text) or "\u0640" in text:
        text = normalize_arabic(text)
    text = normalize_latin(text)
    return _SPACES_RE.sub(" ", text).strip()


def count_letters(text: str) -> tuple[int, int]:
    """Return (Arabic letters, Latin letters) in the text."""
    return len(_ARABIC_LETTER_RE.findall(text)), len(_LATIN_LETTER_RE.findall(text))


def is_arabic_script(text: str) -> bool:
    """True when the text has letters and most of them are Arabic."""
    arabic, latin = count_letters(text)
    return arabic > 0 and arabic >= latin


def script_of(text: str, mixed_share: float = 0.2) -> Script:
    """Return "arab", "latin", "mixed" (minority script above ``mixed_share``) or "none"."""
    arabic, latin = count_letters(text)
    total = arabic + latin
    if total == 0:
        return "none"
    if min(arabic, latin) / total > mixed_share:
        return "mixed"
    return "arab" if arabic > latin else "latin"


def arabizi_words(text: str) -> list[str]:
    """Words of the text written in Arabizi with digits as letters (l3am, 7na, m3a, 3afak)."""
    lowered = normalize_latin(to_ascii_digits(text))
    return [word for word in _ARABIZI_WORD_RE.findall(lowered) if not _NOT_ARABIZI_RE.match(word)]


def has_arabizi(text: str) -> bool:
    """True when some word uses a digit as an Arabic letter ("had l3am", "7na", "3afak")."""
    return bool(arabizi_words(text))
