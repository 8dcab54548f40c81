"""Matching keys of gazetteer surface forms, and the proclitics a first word may carry.

A key is the tuple of a text's token keys: ``nlu.normalize`` (Arabic orthography, Latin case
and accents, Arabic-Indic digits) applied token by token, so offsets map back to the original
text. Arabic words may carry a conjunction and a preposition ("وللصين", "بالمغرب", "دالمغرب"),
Arabizi and French words a glued preposition ("lkenya", "fchina").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from nlu.normalize import normalize_arabic, normalize_latin, to_ascii_digits

# A token: letters and digits of any script with their combining marks; apostrophes, hyphens,
# dots and spaces separate tokens ("l'kenya" -> l, kenya; "Souss-Massa" -> souss, massa).
_TOKEN_RE: Final = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed])+"
)
_ARABIC_RE: Final = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
# Darija letters nlu.normalize leaves alone: gaf/ng -> kaf, veh -> fa.
_DARIJA_LETTERS: Final = str.maketrans({"\u06af": "\u0643", "\u06ad": "\u0643", "\u06a4": "\u0641"})

# Arabic proclitics: a conjunction, then a preposition, before the word (or its article).
_AR_CONJUNCTIONS: Final = ("", "\u0648", "\u0641")  # و ف
_AR_PREPOSITIONS: Final = ("", "\u0628", "\u0644", "\u0643")  # ب ل ك
_AR_LAM: Final = "\u0644"
AR_ARTICLE: Final = "\u0627\u0644"  # ال
_AR_DAL: Final = "\u062f"  # Darija د (dial) before the article: دالمغرب
# Arabizi/French prepositions glued to the word: "lkenya", "fchina", "bl3arbiya".
_LATIN_PROCLITICS: Final = ("l", "f", "b")
_MIN_STRIPPED: Final = 4  # a Latin word stripped of its proclitic keeps at least 4 letters


@dataclass(frozen=True)
class Token:
    """One word of a text: its offsets, its raw text and its matching key."""

    start: int
    end: int
    raw: str
    key: str
    arabic: bool


def is_arabic(text: str) -> bool:
    """True when the text has an Arabic-script character."""
    return bool(_ARABIC_RE.search(text))


def token_key(token: str) -> str:
    """Matching key of one token: ASCII digits, Arabic orthography, casefold, no accents."""
    token = to_ascii_digits(token)
    if _ARABIC_RE.search(token):
        token = normalize_arabic(token.translate(_DARIJA_LETTERS))
    return normalize_latin(token)


def tokenize(text: str) -> list[Token]:
    """The tokens of a text that have a key, with their offsets into it."""
    found = []
    for m in _TOKEN_RE.finditer(text):
        raw = m.group()
        key = token_key(raw)
        if key:
            found.append(Token(m.start(), m.end(), raw, key, bool(_ARABIC_RE.search(raw))))
    return found


def form_key(text: str) -> tuple[str, ...]:
    """Matching key of a surface form: the tuple of its token keys."""
    return tuple(t.key for t in tokenize(text))


def _arabic_variants(key: str) -> Iterator[tuple[str, int]]:
    """The word without its proclitics: (stripped key, letters removed)."""
    for conj in _AR_CONJUNCTIONS:
        if not key.startswith(conj):
            continue
        rest = key[len(conj) :]
        for prep in _AR_PREPOSITIONS:
            if not (conj or prep) or not rest.startswith(prep):
                continue
            word = rest[len(prep) :]
            if len(word) < 2:
                continue
            cut = len(conj) + len(prep)
            yield word, cut
            if prep == _AR_LAM and word.startswith(_AR_LAM):  # لل = ل + ال: للصين -> الصين
                yield "\u0627" + word, len(conj)
        if rest.startswith(_AR_DAL + AR_ARTICLE):  # دالمغرب -> المغرب
            yield rest[1:], len(conj) + 1


def _latin_variants(key: str) -> Iterator[tuple[str, int]]:
    for prefix in _LATIN_PROCLITICS:
        if key.startswith(prefix) and len(key) - len(prefix) >= _MIN_STRIPPED:
            yield key[len(prefix) :], len(prefix)


def first_variants(token: Token) -> list[tuple[str, int]]:
    """(key, letters cut) of a first token: as written, then without each possible proclitic."""
    variants = [(token.key, 0)]
    variants.extend(_arabic_variants(token.key) if token.arabic else _latin_variants(token.key))
    return variants


def raw_offset(raw: str, cut: int) -> int:
    """Index in ``raw`` after its first ``cut`` normalised characters."""
    if cut == 0:
        return 0
    seen = 0
    for i, char in enumerate(raw):
        if token_key(char):
            seen += 1
            if seen == cut:
                return i + 1
    return 0
