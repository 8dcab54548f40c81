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

from kb.files.event_formats import parse_events
from kb.files.event_schema import EventFileError
from kb.files.schema import TEXTS_MAPPING, Fields, load_yaml, one_of
from nlu.vocabulary.canonical import REPLY_LANGUAGES, is_country, is_region, is_sector

PROCEDURE_TOPICS = ("tijaria", "export", "origin", "financing", "membership")
#: Files in load order, each with its top-level key.
KB_FILES = ("sources", "agreements", "markets", "procedures", "regions", "topics", "events")


class KBError(Exception):
    """The knowledge base does not validate; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(problems))


class _Item(Fields):
    """One item of a data/kb file: a wrong value is quoted as written, a URL needs http(s)."""

    def __init__(
        self,
        file: str,
        index: int,
        data: Any,
        problems: list[str],
        sources: set[str],
        seen: dict[str, int],
    ) -> None:
        def report(field: str | None, message: str) -> None:
            where = f"{file}, item {index}" + (f", field {field}" if field else "")
            problems.append(f"{where}: {message}")

        super().__init__(data if isinstance(data, dict) else {}, report)
        #: The item's 1-based position in its file.
        self.index = index
        #: Source ids an item may cite: the database's and those of sources.yml read so far.
        self.sources = sources
        self._seen = seen
        if not isinstance(data, dict):
            self.fail(None, "expected a mapping")

    def not_text(self, value: Any) -> str:
        return f"expected text, got {value!r}"

    def date_text(self, key: str, *, required: bool) -> str | None:
        value = self.value(key)
        return None if value is None else f"{value}"

    def url_rule(self, value: str) -> str | None:
        return None if value.startswith(("http://", "https://")) else "must be http or https"

    def unique(
        self, key: str, known: Callable[[str], bool] | None = None, what: str = ""
    ) -> str | None:
        """The item's natural key: required, known when ``known`` is given, unique in the file."""
        if known is None:
            value = self.text(key, required=True)
        else:
            value = self.choice(key, known, what, required=True)
        if value is not None:
            first = self._seen.setdefault(value, self.index)
            if first != self.index:
                self.fail(key, f"duplicate '{value}' (first at item {first})")
        return value

    def texts(self, key: str, *, required: bool = True) -> dict[str, str] | None:
        """The ``{fr, ar, en}`` mapping of ``key``, each text required."""
        return self.texts_of(key, self.value(key), required=required)

    def texts_of(self, key: str, value: Any, *, required: bool = True) -> dict[str, str] | None:
        """Like :meth:`texts` for ``value``, named ``key``."""
        if value is None:
            if required:
                self.fail(key, "missing required field {fr, ar, en}")
            return None
        texts = self.nested(key, value, TEXTS_MAPPING)
        if texts is None:
            return None
        texts.unknown_keys(REPLY_LANGUAGES)
        return {lang: texts.text(lang, required=True) or "" for lang in REPLY_LANGUAGES}

    def strings(
        self, key: str, known: Callable[[str], bool] | None = None, what: str = "value"
    ) -> list[str]:
        """A list of texts, each once, each ``known`` when a test is given."""
        value = self.value(key)
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
            if known is not None and not known(v):
                self.unknown(key, what, v)
        return list(dict.fromkeys(v.strip() for v in value))

    def source(self, key: str = "source", *, required: bool = True) -> str | None:
        """The id of a source of sources.yml or of the database."""
        return self.choice(
            key, self.sources, "source id", required=required, hint=" (not in sources.yml)"
        )

    def listed(self, key: str, what: str) -> list[Any]:
        """The list of ``key``; nothing (no problem) when unset or empty."""
        value = self.value(key) or []
        if not isinstance(value, list):
            self.fail(key, f"expected a list{what}")
            return []
        return value


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


def _agreement(it: _Item) -> dict[str, Any]:
    it.unknown_keys(("code", "name", "aliases", "summary", "countries", "blocs", "url", "source"))
    return {
        "code": it.unique("code"),
        "name": it.texts("name"),
        "aliases": it.strings("aliases"),
        "summary": it.texts("summary"),
        "countries": it.strings("countries", is_country, "country code"),
        "blocs": it.strings("blocs"),
        "url": it.url(),
        "source_id": it.source(),
    }


def _facts(it: _Item) -> list[dict[str, Any]]:
    facts = []
    for n, value in enumerate(it.listed("facts", ""), 1):
        fact = it.nested(f"facts[{n}]", value, "{text, source}")
        if fact is not None:
            fact.unknown_keys(("text", "source"))
            facts.append({"text": fact.texts("text"), "source_id": fact.source()})
    return facts


def _market(it: _Item, agreement_codes: set[str | None]) -> dict[str, Any]:
    it.unknown_keys(("country", "name", "blocs", "agreements", "sectors", "facts"))
    country = it.unique("country", is_country, "country code")
    facts = _facts(it)
    return {
        "country": country,
        "name": it.texts("name"),
        "blocs": it.strings("blocs"),
        "agreements": it.strings("agreements", agreement_codes.__contains__, "agreement code"),
        "sectors": it.strings("sectors", is_sector, "sector"),
        "facts": facts,
    }


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
    out["agreements"] = check("agreements", _agreement)
    codes = {row["code"] for row in out["agreements"]}
    out["markets"] = check("markets", partial(_market, agreement_codes=codes))
    out["procedures"] = check("procedures", _procedure)
    out["regions"] = check("regions", _region)
    out["topics"] = check("topics", _topic)
    out["events"] = _events(kb_dir / "events.yml", sources, problems) if raw["events"] else []
    if problems:
        raise KBError(problems)
    return out
