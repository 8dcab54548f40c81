"""data/kb/asmex.yml checked whole: the facts about ASMEX and the details of past events.

A problem is named ``asmex.yml, facts, item <n>, field <name>: <message>`` (or ``events``);
every problem is collected, and the caller raises (kb_schema.validate_kb, kb.facts).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from kb.files.kb_item import Item
from kb.files.schema import load_yaml, one_of
from nlu.vocabulary.canonical import REPLY_LANGUAGES, is_country

FILE = "asmex.yml"
#: What a fact is about (the order answers are grouped in).
FACT_TOPICS = (
    "identity",
    "leadership",
    "delegates",
    "partnerships",
    "positions",
    "programmes",
    "meetings",
    "delegations",
)
#: Details of a past event the event rows have no field for.
EVENT_DETAILS = ("led_by", "participants", "outcomes")


def _value(it: Item, texts: dict[str, str] | None) -> dict[str, str] | None:
    """The fact's value per language, each found in the text of its language."""
    raw = it.value("value")
    value: dict[str, str] | None
    if isinstance(raw, str) and raw.strip():
        value = dict.fromkeys(REPLY_LANGUAGES, raw.strip())
    else:
        value = it.texts("value")
    if value is None or texts is None:
        return value
    for lang in REPLY_LANGUAGES:
        if value[lang] and value[lang] not in texts[lang]:
            it.fail(f"value.{lang}", f"'{value[lang]}' is not in text.{lang}")
    return value


def fact_row(it: Item) -> dict[str, Any]:
    """One fact: id, topic, keywords, value, text {fr, ar, en}, date, source."""
    it.unknown_keys(("id", "topic", "keywords", "value", "text", "date", "source"))
    texts = it.texts("text")
    keywords = it.strings("keywords")
    if not keywords:
        it.fail("keywords", "expected a non-empty list of words a question uses")
    return {
        "id": it.unique("id"),
        "topic": it.choice("topic", FACT_TOPICS, "topic", required=True, hint=one_of(FACT_TOPICS)),
        "keywords": keywords,
        "value": _value(it, texts),
        "text": texts,
        "date": it.date("date", required=True),
        "source": it.source(),
    }


def event_row(it: Item, slugs: Collection[str] | None) -> dict[str, Any]:
    """Details of one past event of events.yml (``slugs``; None: not checked)."""
    it.unknown_keys(("slug", "names", "origin", "source", *EVENT_DETAILS))
    slug = it.unique("slug")
    if slug and slugs is not None and slug not in slugs:
        it.fail("slug", f"unknown event '{slug}' (not in events.yml)")
    row: dict[str, Any] = {
        "slug": slug,
        "names": it.strings("names"),
        "origin": it.choice("origin", is_country, "country code"),
        "source": it.source(),
    }
    for detail in EVENT_DETAILS:
        row[detail] = it.texts(detail, required=False)
    return row


def check_facts(
    path: Path, sources: set[str], slugs: Collection[str] | None, problems: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Facts and events of ``path`` (none when the file is absent); problems appended."""
    empty: dict[str, list[dict[str, Any]]] = {"facts": [], "events": []}
    if not path.exists():
        return empty
    try:
        document = load_yaml(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{FILE}: cannot read: {exc}")
        return empty
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        problems.append(f"{FILE}: not valid YAML: {exc}".replace("\n", " "))
        return empty
    if document is None:
        return empty
    if not isinstance(document, dict) or not isinstance(document.get("facts"), list):
        problems.append(f"{FILE}: expected a top-level 'facts' list")
        return empty
    for extra in document:
        if extra not in ("facts", "events"):
            problems.append(f"{FILE}: unknown top-level key '{extra}'")
    events = document.get("events") or []
    if not isinstance(events, list):
        problems.append(f"{FILE}: 'events' must be a list")
        events = []
    seen_facts: dict[str, int] = {}
    seen_events: dict[str, int] = {}
    return {
        "facts": [
            fact_row(Item(f"{FILE}, facts", i, data, problems, sources, seen_facts))
            for i, data in enumerate(document["facts"], 1)
        ],
        "events": [
            event_row(Item(f"{FILE}, events", i, data, problems, sources, seen_events), slugs)
            for i, data in enumerate(events, 1)
        ],
    }
