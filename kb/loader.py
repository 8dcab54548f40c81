"""Load the knowledge base (data/kb/*.yml) into the database: validate all, then upsert.

Every file is optional. Items are upserted by their natural key (source id, country, code,
event slug); items removed from the files are not deleted from the database.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings
from kb.events_io import EventFileError, load_yaml, parse_events
from kb.models import (
    Agreement,
    Base,
    Market,
    MarketFact,
    Procedure,
    Region,
    Source,
    Topic,
)
from kb.repositories import UpsertAction, upsert_event
from nlu.vocabulary.canonical import REPLY_LANGUAGES, is_country, is_region, is_sector

logger = logging.getLogger(__name__)

PROCEDURE_TOPICS = ("tijaria", "export", "origin", "financing", "membership")
#: Files in load order, each with its top-level key.
KB_FILES = (
    "sources",
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


@dataclass(frozen=True)
class LoadReport:
    """What a load did, per table: how many rows were created, updated or unchanged."""

    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    aliases_from_gazetteer: bool = False

    def summary(self) -> str:
        """One line per table, e.g. ``markets: 3 created, 0 updated, 1 unchanged``."""
        return "\n".join(
            f"{table}: {c.get('created', 0)} created, {c.get('updated', 0)} updated, "
            f"{c.get('unchanged', 0)} unchanged"
            for table, c in self.tables.items()
        )


def gazetteer_aliases(entity: str) -> dict[str, list[str]]:
    """Surface forms per canonical value from nlu.vocabulary.gazetteer ({} while unavailable)."""
    try:
        from nlu.vocabulary.gazetteer import load_gazetteer  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return {}
    try:
        found = load_gazetteer().aliases(entity)
    except Exception as exc:  # noqa: BLE001 - a broken gazetteer must not block the KB load
        logger.warning("gazetteer aliases(%r) failed, aliases left empty: %s", entity, exc)
        return {}
    return {str(k): list(dict.fromkeys(str(v) for v in values)) for k, values in found.items()}


# --- validation ------------------------------------------------------------------------------


class _Item:
    """One item of a KB file, collecting problems as its fields are read."""

    def __init__(self, file: str, index: int, data: Any, problems: list[str], sources: set[str]):
        self.file, self.index, self.problems, self.sources = file, index, problems, sources
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            self.fail(None, "expected a mapping")

    def fail(self, key: str | None, message: str) -> None:
        where = f"{self.file}, item {self.index}" + (f", field {key}" if key else "")
        self.problems.append(f"{where}: {message}")

    def check_keys(
        self, allowed: tuple[str, ...], data: dict[str, Any] | None = None, prefix: str = ""
    ) -> None:
        for key in self.data if data is None else data:
            if key not in allowed:
                self.fail(f"{prefix}{key}", "unknown field")

    def get(self, key: str, data: dict[str, Any] | None = None) -> Any:
        return (self.data if data is None else data).get(key.rsplit(".", 1)[-1])

    def text(
        self, key: str, *, required: bool = True, data: dict[str, Any] | None = None
    ) -> str | None:
        value = self.get(key, data)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            self.fail(key, f"expected text, got {value!r}")
            return None
        value = (value or "").strip() or None
        if value is None and required:
            self.fail(key, "missing required field")
        return value

    def texts(
        self, key: str, *, required: bool = True, data: dict[str, Any] | None = None
    ) -> dict[str, str] | None:
        value = self.get(key, data)
        if value is None:
            if required:
                self.fail(key, "missing required field {fr, ar, en}")
            return None
        if not isinstance(value, dict):
            self.fail(key, "expected a mapping {fr: ..., ar: ..., en: ...}")
            return None
        self.check_keys(REPLY_LANGUAGES, value, prefix=f"{key}.")
        out = {}
        for lang in REPLY_LANGUAGES:
            text = self.text(f"{key}.{lang}", data=value)
            out[lang] = text or ""
        return out

    def strings(
        self, key: str, check: Callable[[str], bool] | None = None, what: str = "value"
    ) -> list[str]:
        value = self.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, "expected a list of strings")
            return []
        for v in value:
            if not isinstance(v, str):
                hint = (
                    " (YAML reads NO/yes/on/off as booleans: quote it)"
                    if isinstance(v, bool)
                    else ""
                )
                self.fail(key, f"expected text, got {v!r}{hint}")
        value = [v for v in value if isinstance(v, str)]
        for v in value:
            if check is not None and not check(v):
                self.fail(key, f"unknown {what} '{v}'")
        return list(dict.fromkeys(v.strip() for v in value))

    def day(self, key: str, data: dict[str, Any] | None = None) -> date | None:
        value = self.get(key, data)
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(key, f"malformed date '{value}' (expected YYYY-MM-DD)")
        return None

    def url(self, key: str = "url") -> str | None:
        value = self.text(key, required=False)
        if value is not None and not value.startswith(("http://", "https://")):
            self.fail(key, f"bad URL '{value}' (must be http or https)")
        return value

    def source(
        self, key: str = "source", *, data: dict[str, Any] | None = None, required: bool = True
    ) -> str | None:
        value = self.text(key, data=data, required=required)
        if value is not None and value not in self.sources:
            self.fail(key, f"unknown source id '{value}' (not in sources.yml)")
        return value


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


def _unique(items: list[_Item], key: str, value: str | None, seen: dict[str, int]) -> None:
    if value is None:
        return
    if value in seen:
        items[-1].fail(key, f"duplicate '{value}' (first at item {seen[value]})")
    else:
        seen[value] = items[-1].index


def _validate(kb_dir: Path, db_sources: set[str]) -> dict[str, list[dict[str, Any]]]:
    problems: list[str] = []
    raw = {
        name: _read(kb_dir / f"{name}.yml", name, problems)
        if (kb_dir / f"{name}.yml").exists()
        else []
        for name in KB_FILES
    }
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in KB_FILES}
    sources = set(db_sources)

    items: list[_Item] = []
    seen: dict[str, int] = {}
    for i, data in enumerate(raw["sources"], 1):
        it = _Item("sources.yml", i, data, problems, sources)
        items.append(it)
        it.check_keys(("id", "title", "publisher", "published", "seed_file", "url", "note"))
        sid = it.text("id")
        _unique(items, "id", sid, seen)
        row: dict[str, Any] = {
            "id": sid,
            "title": it.text("title"),
            "publisher": it.text("publisher", required=False),
            "published": it.day("published"),
            "seed_file": it.text("seed_file", required=False),
            "url": it.url(),
            "note": it.text("note", required=False),
        }
        if sid:
            sources.add(sid)
        out["sources"].append(row)

    agreement_codes = set()
    seen = {}
    for i, data in enumerate(raw["agreements"], 1):
        it = _Item("agreements.yml", i, data, problems, sources)
        items.append(it)
        it.check_keys(("code", "name", "aliases", "summary", "countries", "blocs", "url", "source"))
        code = it.text("code")
        _unique(items, "code", code, seen)
        agreement_codes.add(code)
        out["agreements"].append(
            {
                "code": code,
                "name": it.texts("name"),
                "aliases": it.strings("aliases"),
                "summary": it.texts("summary"),
                "countries": it.strings("countries", is_country, "country code"),
                "blocs": it.strings("blocs"),
                "url": it.url(),
                "source_id": it.source(),
            }
        )

    seen = {}
    for i, data in enumerate(raw["markets"], 1):
        it = _Item("markets.yml", i, data, problems, sources)
        items.append(it)
        it.check_keys(("country", "name", "blocs", "agreements", "sectors", "facts"))
        country = it.text("country")
        if country and not is_country(country):
            it.fail("country", f"unknown country code '{country}'")
        _unique(items, "country", country, seen)
        facts = []
        raw_facts = it.get("facts") or []
        if not isinstance(raw_facts, list):
            it.fail("facts", "expected a list")
            raw_facts = []
        for n, fact in enumerate(raw_facts, 1):
            if not isinstance(fact, dict):
                it.fail(f"facts[{n}]", "expected a mapping {text, source}")
                continue
            it.check_keys(("text", "source"), fact, prefix=f"facts[{n}].")
            facts.append(
                {
                    "text": it.texts(f"facts[{n}].text", data=fact),
                    "source_id": it.source(f"facts[{n}].source", data=fact),
                }
            )
        out["markets"].append(
            {
                "country": country,
                "name": it.texts("name"),
                "blocs": it.strings("blocs"),
                "agreements": it.strings(
                    "agreements", lambda c: c in agreement_codes, "agreement code"
                ),
                "sectors": it.strings("sectors", is_sector, "sector"),
                "facts": facts,
            }
        )

    seen = {}
    for i, data in enumerate(raw["procedures"], 1):
        it = _Item("procedures.yml", i, data, problems, sources)
        items.append(it)
        it.check_keys(("code", "topic", "title", "summary", "steps", "url", "source"))
        code = it.text("code")
        _unique(items, "code", code, seen)
        topic = it.text("topic")
        if topic and topic not in PROCEDURE_TOPICS:
            it.fail("topic", f"unknown topic '{topic}' (one of {', '.join(PROCEDURE_TOPICS)})")
        steps = it.get("steps") or []
        if not isinstance(steps, list):
            it.fail("steps", "expected a list of {fr, ar, en}")
            steps = []
        out["procedures"].append(
            {
                "code": code,
                "topic": topic,
                "position": i,
                "title": it.texts("title"),
                "summary": it.texts("summary"),
                "steps": [
                    it.texts(f"steps[{n}]", data={f"steps[{n}]": s}) for n, s in enumerate(steps, 1)
                ],
                "url": it.url(),
                "source_id": it.source(),
            }
        )

    seen = {}
    for i, data in enumerate(raw["regions"], 1):
        it = _Item("regions.yml", i, data, problems, sources)
        items.append(it)
        it.check_keys(("code", "name", "office", "delegate"))
        code = it.text("code")
        if code and not is_region(code):
            it.fail("code", f"unknown region '{code}'")
        _unique(items, "code", code, seen)
        row = {
            "code": code,
            "name": it.texts("name"),
            "office_name": None,
            "office_status": None,
            "office_source_id": None,
            "delegate_name": None,
            "delegate_as_of": None,
            "delegate_source_id": None,
        }
        office = it.get("office")
        if office is not None and not isinstance(office, dict):
            it.fail("office", "expected a mapping {name, status, source} or null")
            office = None
        if office is not None:
            it.check_keys(("name", "status", "source"), office, prefix="office.")
            row["office_name"] = it.texts("office.name", data=office)
            row["office_status"] = it.texts("office.status", data=office)
            row["office_source_id"] = it.source("office.source", data=office)
        delegate = it.get("delegate")
        if delegate is not None and not isinstance(delegate, dict):
            it.fail("delegate", "expected a mapping {name, as_of, source} or null")
            delegate = None
        if delegate is not None:
            it.check_keys(("name", "as_of", "source"), delegate, prefix="delegate.")
            row["delegate_name"] = it.text("delegate.name", data=delegate)
            row["delegate_as_of"] = it.day("delegate.as_of", data=delegate)
            row["delegate_source_id"] = it.source("delegate.source", data=delegate)
        out["regions"].append(row)

    seen = {}
    for i, data in enumerate(raw["topics"], 1):
        it = _Item("topics.yml", i, data, problems, sources)
        items.append(it)
        it.check_keys(("code", "title", "body", "url", "source"))
        code = it.text("code")
        _unique(items, "code", code, seen)
        out["topics"].append(
            {
                "code": code,
                "title": it.texts("title"),
                "body": it.texts("body"),
                "url": it.url(),
                "source_id": it.source(),
            }
        )

    events_path = kb_dir / "events.yml"
    if raw["events"]:
        try:
            text = events_path.read_text(encoding="utf-8-sig")
            out["events"] = parse_events(text, fmt="yaml", known_sources=sources)  # type: ignore[assignment]
        except EventFileError as exc:
            problems.extend(f"events.yml, {str(p).replace('row', 'item', 1)}" for p in exc.problems)
    if problems:
        raise KBError(problems)
    return out


# --- loading ---------------------------------------------------------------------------------


_TEXT_KEYS = ("name", "title", "summary", "body", "text", "office_name", "office_status")


def _flatten(values: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if key in _TEXT_KEYS and value is None:
            flat.update({f"{key}_{lang}": None for lang in REPLY_LANGUAGES})
        elif isinstance(value, dict) and set(value) == set(REPLY_LANGUAGES):
            for lang in REPLY_LANGUAGES:
                flat[f"{key}_{lang}"] = value[lang]
        else:
            flat[key] = value
    return flat


def _upsert(session: Session, model: type[Base], key: Any, values: dict[str, Any]) -> UpsertAction:
    values = _flatten(values)
    row = session.get(model, key)
    if row is None:
        session.add(model(**values))
        return "created"
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    for k, v in changed.items():
        setattr(row, k, v)
    return "updated" if changed else "unchanged"


def _fact_tuple(text: dict[str, str], source_id: str | None) -> tuple[str, ...]:
    return (text["fr"], text["ar"], text["en"], source_id or "")


def load_kb(session: Session, *, kb_dir: Path | None = None) -> LoadReport:
    """Validate every file of ``kb_dir`` (default data/kb), then upsert it all.

    Raises KBError listing every problem before anything is written. The caller commits.
    """
    directory = kb_dir or settings.KB_DIR
    if not directory.is_dir():
        raise KBError([f"{directory}: knowledge-base directory not found"])
    db_sources = set(session.scalars(select(Source.id)))
    data = _validate(directory, db_sources)
    countries = gazetteer_aliases("country")
    regions = gazetteer_aliases("region")
    tables: dict[str, Counter[str]] = {}

    def count(table: str, action: UpsertAction) -> None:
        tables.setdefault(table, Counter())[action] += 1

    for row in data["sources"]:
        count("sources", _upsert(session, Source, row["id"], row))
    session.flush()
    for row in data["agreements"]:
        count("agreements", _upsert(session, Agreement, row["code"], row))
    for row in data["markets"]:
        facts = row.pop("facts")
        row["aliases"] = countries.get(row["country"], [])
        action = _upsert(session, Market, row["country"], row)
        session.flush()
        market = session.get(Market, row["country"])
        new = [_fact_tuple(f["text"], f["source_id"]) for f in facts]
        old = [
            _fact_tuple({"fr": f.text_fr, "ar": f.text_ar, "en": f.text_en}, f.source_id)
            for f in market.facts
        ]
        if new != old:
            market.facts.clear()
            session.flush()
            for position, fact in enumerate(facts, 1):
                market.facts.append(
                    MarketFact(
                        position=position,
                        source_id=fact["source_id"],
                        **_flatten({"text": fact["text"]}),
                    )
                )
            action = "updated" if action == "unchanged" else action
        count("markets", action)
    for row in data["procedures"]:
        count("procedures", _upsert(session, Procedure, row["code"], row))
    for row in data["regions"]:
        row["cities"] = regions.get(row["code"], [])
        count("regions", _upsert(session, Region, row["code"], row))
    for row in data["topics"]:
        count("topics", _upsert(session, Topic, row["code"], row))
    session.flush()
    for event in data["events"]:
        count("events", upsert_event(session, event=event).action)  # type: ignore[arg-type]
    session.flush()
    return LoadReport(
        tables={t: dict(c) for t, c in tables.items()},
        aliases_from_gazetteer=bool(countries or regions),
    )
