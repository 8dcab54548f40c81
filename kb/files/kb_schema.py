"""The knowledge base's files (data/kb/*.yml) checked whole, one function per file.

Every file is optional. A problem is named ``<file>, item <n>, field <name>: <message>``; all of
them are collected before :class:`KBError` is raised, so nothing is written from a knowledge
base with a problem.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from kb.files import kb_trade
from kb.files.event_formats import parse_events
from kb.files.event_schema import EventFileError
from kb.files.facts_schema import check_facts
from kb.files.kb_item import Item as _Item
from kb.files.schema import load_yaml, one_of
from nlu.vocabulary.canonical import is_region

PROCEDURE_TOPICS = ("tijaria", "export", "origin", "financing", "membership")
#: Files in load order, each with its top-level key.
KB_FILES = (
    "sources",
    "blocs",
    "agreements",
    "markets",
    "procedures",
    "regions",
    "topics",
    "events",
)


class KBError(Exception):
    """The knowledge base does not validate; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(problems))


# --- one function per file: an item in, the row to upsert out --------------------------------


def _source(it: _Item) -> dict[str, Any]:
    it.unknown_keys(("id", "title", "publisher", "published", "seed_file", "url", "note"))
    sid = it.unique("id")
    row = {
        "id": sid,
        "title": it.text("title", required=True),
        "publisher": it.text("publisher"),
        "published": it.date("published"),
        "seed_file": it.text("seed_file"),
        "url": it.url(),
        "note": it.text("note"),
    }
    if sid:
        it.sources.add(sid)
    return row


def _procedure(it: _Item) -> dict[str, Any]:
    it.unknown_keys(("code", "topic", "title", "summary", "steps", "url", "source"))
    code = it.unique("code")
    topic = it.choice(
        "topic", PROCEDURE_TOPICS, "topic", required=True, hint=one_of(PROCEDURE_TOPICS)
    )
    steps = it.listed("steps", " of {fr, ar, en}")
    return {
        "code": code,
        "topic": topic,
        "position": it.index,
        "title": it.texts("title"),
        "summary": it.texts("summary"),
        "steps": [it.texts_of(f"steps[{n}]", step) for n, step in enumerate(steps, 1)],
        "url": it.url(),
        "source_id": it.source(),
    }


#: A region's office and delegate, each optional (None when the file leaves it out).
_REGION_DETAILS = (
    "office_name",
    "office_status",
    "office_source_id",
    "delegate_name",
    "delegate_as_of",
    "delegate_source_id",
)


def _region(it: _Item) -> dict[str, Any]:
    it.unknown_keys(("code", "name", "office", "delegate"))
    row: dict[str, Any] = dict.fromkeys(_REGION_DETAILS)
    row["code"] = it.unique("code", is_region, "region")
    row["name"] = it.texts("name")
    office = it.optional("office", "{name, status, source} or null")
    if office is not None:
        office.unknown_keys(("name", "status", "source"))
        row["office_name"] = office.texts("name")
        row["office_status"] = office.texts("status")
        row["office_source_id"] = office.source()
    delegate = it.optional("delegate", "{name, as_of, source} or null")
    if delegate is not None:
        delegate.unknown_keys(("name", "as_of", "source"))
        row["delegate_name"] = delegate.text("name", required=True)
        row["delegate_as_of"] = delegate.date("as_of")
        row["delegate_source_id"] = delegate.source()
    return row


def _topic(it: _Item) -> dict[str, Any]:
    it.unknown_keys(("code", "title", "body", "url", "source"))
    return {
        "code": it.unique("code"),
        "title": it.texts("title"),
        "body": it.texts("body"),
        "url": it.url(),
        "source_id": it.source(),
    }


# --- the whole directory ---------------------------------------------------------------------


def _read(path: Path, key: str, problems: list[str]) -> list[Any]:
    try:
        document = load_yaml(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        problems.append(f"{path.name}: cannot read: {exc.strerror or exc}")
        return []
    except UnicodeDecodeError:
        problems.append(f"{path.name}: not UTF-8 text")
        return []
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        problems.append(f"{path.name}: not valid YAML: {exc}".replace("\n", " "))
        return []
    if document is None:
        return []
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        problems.append(f"{path.name}: expected a top-level '{key}' list")
        return []
    for extra in document:
        if extra != key:
            problems.append(f"{path.name}: unknown top-level key '{extra}'")
    return document[key]


def _events(path: Path, sources: set[str], problems: list[str]) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        return parse_events(text, fmt="yaml", known_sources=sources)
    except EventFileError as exc:
        problems.extend(f"events.yml, {str(p).replace('row', 'item', 1)}" for p in exc.problems)
        return []


def validate_kb(kb_dir: Path, db_sources: set[str]) -> dict[str, list[Any]]:
    """Every file of ``kb_dir`` checked: rows to upsert per file (events as EventInput).

    ``db_sources`` are the source ids already in the database, which items may cite too.
    Raises KBError listing every problem.
    """
    problems: list[str] = []
    raw = {
        name: _read(kb_dir / f"{name}.yml", name, problems)
        if (kb_dir / f"{name}.yml").exists()
        else []
        for name in KB_FILES
    }
    sources = set(db_sources)

    def check(name: str, item_check: Callable[[_Item], dict[str, Any]]) -> list[Any]:
        seen: dict[str, int] = {}
        return [
            item_check(_Item(f"{name}.yml", i, data, problems, sources, seen))
            for i, data in enumerate(raw[name], 1)
        ]

    out: dict[str, list[Any]] = {"sources": check("sources", _source)}
    out["blocs"] = check("blocs", kb_trade.bloc)
    bloc_codes = {row["code"] for row in out["blocs"] if row["code"]}
    out["agreements"] = check("agreements", partial(kb_trade.agreement, bloc_codes=bloc_codes))
    out["markets"] = check("markets", kb_trade.market)
    kb_trade.derive_memberships(out["markets"], out["blocs"], out["agreements"])
    out["procedures"] = check("procedures", _procedure)
    out["regions"] = check("regions", _region)
    out["topics"] = check("topics", _topic)
    out["events"] = _events(kb_dir / "events.yml", sources, problems) if raw["events"] else []
    slugs = {event.slug for event in out["events"]} or None
    # asmex.yml: read by kb.facts at run time; checked here so that load-kb refuses it broken.
    check_facts(kb_dir / "asmex.yml", sources, slugs, problems)
    if problems:
        raise KBError(problems)
    return out
