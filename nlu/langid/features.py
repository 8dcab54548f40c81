"""What the language identifier reads of a message: words of each script, character n-grams."""

from __future__ import annotations

import re

from nlu.normalize import normalize_text

_ARABIC_WORD_RE = re.compile(
    "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06fc\ufb50-\ufdff\ufe70-\ufefc]+"
)
# Lookbehinds: a match starts only where a run starts (same matches; a long run without a
# letter, or without "@", is scanned once instead of once per character).
_LATIN_WORD_RE = re.compile(
    "(?<![a-z0-9\u00c0-\u024f])[a-z0-9\u00c0-\u024f]*[a-z\u00c0-\u024f][a-z0-9\u00c0-\u024f]*"
)
# E-mail addresses and links are in no language: dropped before detection.
_NEUTRAL_RE = re.compile(r"(?<!\S)\S+@\S+|(?:https?://|www\.)\S+")


_ARABIC_LETTER_RE = re.compile("[\u0621-\u064a]")
# A Latin acronym or code in capitals ("ASMEX", "EUR.1", "EUR-MED", "HKTDC"), also glued to an
# Arabic prefix ("لASMEX").
_ACRONYM_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9.-]*[A-Z0-9](?![A-Za-z0-9])")


# A proper name of two capitalised Latin words or more, joined by spaces or by a short lower-case
# link word ("Made in Africa", "Atlas Fruits", "Salon de Paris"): a fair or a company named
# inside an Arabic-script message, in no language.
_NAME_WORD = r"[A-Z][A-Za-z0-9'&.-]*"
_NAME_RE = re.compile(
    rf"(?<![A-Za-z0-9]){_NAME_WORD}(?:\s+(?:(?:in|of|de|du|des|la|le|the|and|et|&)\s+)?"
    rf"{_NAME_WORD})+(?![A-Za-z0-9])"
)


def without_acronyms_and_names(text: str) -> str:
    """Arabic-script text without its Latin acronyms and names, which are in no language:
    "ما هي ASMEX؟" has more Latin letters than Arabic ones, yet it is Arabic, and so is
    "أين سينظم معرض Made in Africa؟". Other text is returned as is."""
    if not _ARABIC_LETTER_RE.search(text):
        return text
    return _ACRONYM_RE.sub(" ", _NAME_RE.sub(" ", text))


def detection_text(text: str | None) -> str:
    """The normalised text, e-mail addresses and links replaced by spaces."""
    return _NEUTRAL_RE.sub(" ", normalize_text(text or ""))


def arabic_words(normalized: str) -> list[str]:
    """Arabic-script words of normalised text."""
    return _ARABIC_WORD_RE.findall(normalized)


def latin_words(normalized: str) -> list[str]:
    """Latin-script words (with Arabizi digits) of normalised text; pure numbers are dropped."""
    return _LATIN_WORD_RE.findall(normalized)


def char_ngrams(word: str, max_n: int) -> list[str]:
    """Character 1..max_n-grams of the word padded with spaces (single spaces excluded)."""
    padded = f" {word} "
    grams = []
    for n in range(1, max_n + 1):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if gram != " ":
                grams.append(gram)
    return grams
