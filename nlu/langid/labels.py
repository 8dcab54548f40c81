"""The varieties the language identifier tells apart, and how labels and hints name them.

Training blocks carry ``metadata: {variety: fr | ar | ary_ar | ary_lat | en}``; a channel's
language hint is a code such as "fr", "en-US" or "ar". Both map to fr, ar, ary or en.
"""

from __future__ import annotations

import re
from typing import Any

ARABIC_CLASSES: tuple[str, ...] = ("ar", "ary")
LATIN_CLASSES: tuple[str, ...] = ("fr", "en", "ary")

# Training-data labels (block metadata ``variety``) -> detected variety.
LABEL_TO_VARIETY: dict[str, str] = {
    "fr": "fr",
    "ar": "ar",
    "ary": "ary",
    "ary_ar": "ary",
    "ary_lat": "ary",
    "en": "en",
}

_ANNOTATION_RE = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")
_CODE_SEPARATOR_RE = re.compile("[-_]")


def language_code(hint: str) -> str:
    """The language part of a code: "fr-FR" -> "fr", "en_GB" -> "en"."""
    return _CODE_SEPARATOR_RE.split(hint.strip().lower(), maxsplit=1)[0]


def variety_from_label(label: Any) -> str | None:
    """Map a training label (fr, ar, ary_ar, ary_lat, en) to a variety, or None."""
    if not isinstance(label, str):
        return None
    return LABEL_TO_VARIETY.get(label.strip().lower())


def hint_variety(hint: Any, script: str) -> str | None:
    """Turn a language hint ("fr", "en-US", "ar", "ary") into a variety plausible in ``script``.

    A user whose Telegram is in Arabic and who types Latin letters writes Arabizi, so "ar"
    means ``ary`` there; a French or English hint says nothing about Arabic-script text.
    """
    if not isinstance(hint, str) or not hint.strip():
        return None
    code = language_code(hint)
    if code == "ary":
        return "ary"
    if script == "latin":
        return {"fr": "fr", "en": "en", "ar": "ary"}.get(code)
    if script == "arab":
        return {"ar": "ar"}.get(code)
    return {"fr": "fr", "en": "en", "ar": "ar"}.get(code)


def load_examples(data: Any) -> list[tuple[str, str]]:
    """(text, variety) pairs from parsed Rasa YAML NLU data in the contracts format.

    Blocks without a ``metadata: {variety: ...}`` are skipped; entity annotations
    ``[text]{...}`` / ``[text](entity)`` are reduced to their text.
    """
    pairs: list[tuple[str, str]] = []
    for block in (data or {}).get("nlu", []) or []:
        if not isinstance(block, dict):
            continue
        variety = variety_from_label((block.get("metadata") or {}).get("variety"))
        examples = block.get("examples")
        if variety is None or not isinstance(examples, str):
            continue
        for line in examples.splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((strip_annotations(line[2:].strip()), variety))
    return pairs


def strip_annotations(example: str) -> str:
    """Reduce Rasa entity annotations to their surface text."""
    return _ANNOTATION_RE.sub(r"\1", example)
