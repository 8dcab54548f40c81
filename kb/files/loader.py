"""Load the knowledge base (data/kb/*.yml) into the database: validate all, then upsert.

Every file is optional. Items are upserted by their natural key (source id, country, code,
event slug); items removed from the files are not deleted from the database. A market's blocs
and agreements are not in its sheet: they are derived from blocs.yml and agreements.yml.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core import settings
from kb.events import upsert_event
from kb.files.kb_schema import KBError, validate_kb
from kb.models import Agreement, Base, Bloc, Market, MarketFact, Procedure, Region, Source, Topic
from kb.sources import source_ids
from kb.views import UpsertAction
from nlu.vocabulary.canonical import REPLY_LANGUAGES

logger = logging.getLogger(__name__)

_TEXT_KEYS = ("name", "title", "summary", "body", "text", "office_name", "office_status")


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


def _upsert_market(session: Session, row: dict[str, Any], aliases: list[str]) -> UpsertAction:
    """Upsert a market, its facts replaced when any of them changed."""
    facts = row.pop("facts")
    row["aliases"] = aliases
    action = _upsert(session, Market, row["country"], row)
    session.flush()
    market = session.get(Market, row["country"])
    new = [_fact_tuple(f["text"], f["source_id"]) for f in facts]
    old = [
        _fact_tuple({"fr": f.text_fr, "ar": f.text_ar, "en": f.text_en}, f.source_id)
        for f in market.facts
    ]
    if new == old:
        return action
    market.facts.clear()
    session.flush()
    for position, fact in enumerate(facts, 1):
        market.facts.append(
            MarketFact(
                position=position, source_id=fact["source_id"], **_flatten({"text": fact["text"]})
            )
        )
    return "updated" if action == "unchanged" else action


def load_kb(session: Session, *, kb_dir: Path | None = None) -> LoadReport:
    """Validate every file of ``kb_dir`` (default data/kb), then upsert it all.

    Raises KBError listing every problem before anything is written. The caller commits.
    """
    directory = kb_dir or settings.KB_DIR
    if not directory.is_dir():
        raise KBError([f"{directory}: knowledge-base directory not found"])
    data = validate_kb(directory, source_ids(session))
    countries = gazetteer_aliases("country")
    regions = gazetteer_aliases("region")
    tables: dict[str, Counter[str]] = {}

    def count(table: str, action: UpsertAction) -> None:
        tables.setdefault(table, Counter())[action] += 1

    for row in data["sources"]:
        count("sources", _upsert(session, Source, row["id"], row))
    session.flush()
    for row in data["blocs"]:
        count("blocs", _upsert(session, Bloc, row["code"], row))
    for row in data["agreements"]:
        count("agreements", _upsert(session, Agreement, row["code"], row))
    for row in data["markets"]:
        count("markets", _upsert_market(session, row, countries.get(row["country"], [])))
    for row in data["procedures"]:
        count("procedures", _upsert(session, Procedure, row["code"], row))
    for row in data["regions"]:
        row["cities"] = regions.get(row["code"], [])
        count("regions", _upsert(session, Region, row["code"], row))
    for row in data["topics"]:
        count("topics", _upsert(session, Topic, row["code"], row))
    session.flush()
    for event in data["events"]:
        count("events", upsert_event(session, event=event).action)
    session.flush()
    return LoadReport(
        tables={t: dict(c) for t, c in tables.items()},
        aliases_from_gazetteer=bool(countries or regions),
    )
