"""Loading data/kb-style files: validation first, idempotent upsert, gazetteer aliases."""

from __future__ import annotations

import shutil
import sys
import types
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.events import get_event_by_slug
from kb.files import loader as kb_loader
from kb.files.kb_schema import KBError
from kb.files.loader import load_kb
from kb.markets import find_market, get_market
from kb.models import Agreement, Event, Market, MarketFact, Region, Source
from kb.services import get_region

KB = Path(__file__).resolve().parents[2] / "fixtures" / "kb"
COUNTS = {Source: 3, Agreement: 2, Market: 2, MarketFact: 2, Region: 2, Event: 2}


@pytest.fixture()
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(KB, target)
    return target


@pytest.fixture()
def no_gazetteer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nlu.vocabulary.gazetteer", None)  # import fails


def counts(session: Session) -> dict[type, int]:
    return {m: session.scalar(select(func.count()).select_from(m)) for m in COUNTS}


def test_load_then_reload_gives_no_duplicates(session: Session, no_gazetteer: None) -> None:
    first = load_kb(session, kb_dir=KB)
    session.commit()
    assert counts(session) == COUNTS
    assert first.tables["events"] == {"created": 2}
    second = load_kb(session, kb_dir=KB)
    session.commit()
    assert counts(session) == COUNTS
    assert set(second.tables["markets"]) == {"unchanged"}
    assert set(second.tables["events"]) == {"unchanged"}


def test_kb_events_keep_sample_and_source(session: Session, no_gazetteer: None) -> None:
    load_kb(session, kb_dir=KB)
    webinar = get_event_by_slug(session, slug="sample-origin-webinar-2027", today=date(2026, 1, 1))
    assert webinar and webinar.sample and webinar.source_id == "demo" and webinar.city is None


def test_reload_updates_changed_items_and_facts(
    session: Session, kb_copy: Path, no_gazetteer: None
) -> None:
    load_kb(session, kb_dir=kb_copy)
    session.commit()
    markets = kb_copy / "markets.yml"
    markets.write_text(
        markets.read_text(encoding="utf-8").replace("Gateway to East Africa.", "East Africa hub."),
        encoding="utf-8",
    )
    report = load_kb(session, kb_dir=kb_copy)
    session.commit()
    assert report.tables["markets"] == {"updated": 1, "unchanged": 1}
    market = get_market(session, country="KE")
    assert market and [f.text.en for f in market.facts] == [
        "East Africa hub.",
        "B2B mission in 2025.",
    ]
    assert counts(session) == COUNTS


def test_aliases_come_from_the_gazetteer_when_it_imports(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FakeGazetteer:
        def aliases(self, entity: str) -> dict[str, list[str]]:
            return {
                "country": {"KE": ["kenya", "كينيا", "kenya"], "FR": ["france"]},
                "region": {"souss-massa": ["agadir", "taroudant"]},
            }[entity]

    fake = types.ModuleType("nlu.vocabulary.gazetteer")
    fake.load_gazetteer = FakeGazetteer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nlu.vocabulary.gazetteer", fake)
    report = load_kb(session, kb_dir=KB)
    assert report.aliases_from_gazetteer
    market = get_market(session, country="KE")
    assert market and market.aliases == ("kenya", "كينيا")
    region = get_region(session, code="souss-massa")
    assert region and region.cities == ("agadir", "taroudant")
    assert find_market(session, query="Kenya") == market


def test_without_gazetteer_aliases_stay_empty(session: Session, no_gazetteer: None) -> None:
    assert kb_loader.gazetteer_aliases("country") == {}
    report = load_kb(session, kb_dir=KB)
    assert not report.aliases_from_gazetteer
    market = get_market(session, country="KE")
    assert market and market.aliases == ()


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "markets.yml",
            "country: KE",
            "country: XX",
            "markets.yml, item 1, field country: unknown country code 'XX'",
        ),
        (
            "markets.yml",
            "sectors: [agrifood, ict]",
            "sectors: [agrifood, crypto]",
            "field sectors: unknown sector 'crypto'",
        ),
        (  # membership is kept once, in blocs.yml: a sheet naming a bloc is refused
            "markets.yml",
            "sectors: [agrifood, ict]",
            "sectors: [agrifood, ict]\n    blocs: [NAFTA]",
            "markets.yml, item 1, field blocs: a sheet does not list blocs",
        ),
        (
            "markets.yml",
            "sectors: [agrifood, ict]",
            "sectors: [agrifood, ict]\n    agreements: [afcfta]",
            "markets.yml, item 1, field agreements: a sheet does not list agreements",
        ),
        (
            "markets.yml",
            "        source: seed-003\n      - text",
            "        source: seed-404\n      - text",
            "markets.yml, item 1, field facts[1].source: unknown source id 'seed-404'",
        ),
        (
            "agreements.yml",
            "blocs: [AFCFTA]",
            "blocs: [NAFTA]",
            "agreements.yml, item 1, field blocs: unknown bloc (not in blocs.yml) 'NAFTA'",
        ),
        (
            "blocs.yml",
            "members: [KE, SN]",
            "members: [KE, XX]",
            "blocs.yml, item 1, field members: unknown country code 'XX'",
        ),
        (
            "blocs.yml",
            "members: [KE]",
            "members: []",
            "blocs.yml, item 2, field members: missing required field",
        ),
        (
            "blocs.yml",
            "code: EAC",
            "code: eac",
            "blocs.yml, item 2, field code: invalid bloc code 'eac'",
        ),
        (
            "blocs.yml",
            "source: general-afcfta\n  - code: EAC",
            "source: au-404\n  - code: EAC",
            "blocs.yml, item 1, field source: unknown source id 'au-404'",
        ),
        (
            "markets.yml",
            "ar: كينيا",
            "ar: ''",
            "markets.yml, item 1, field name.ar: missing required field",
        ),
        ("agreements.yml", "countries: [US]", "countries: [US, NO]", "got False (YAML reads NO"),
        (
            "topics.yml",
            "source: seed-003",
            "source: seed-999",
            "topics.yml, item 1, field source: unknown source id 'seed-999'",
        ),
        (
            "regions.yml",
            "code: oriental",
            "code: atlantis",
            "regions.yml, item 2, field code: unknown region 'atlantis'",
        ),
        (
            "regions.yml",
            "as_of: 2021-06-14",
            "as_of: 2021-02-30",
            "field delegate.as_of: malformed date",
        ),
        ("procedures.yml", "topic: tijaria", "topic: visas", "unknown topic 'visas'"),
        (
            "procedures.yml",
            "code: tijaria-fees",
            "code: tijaria-overview",
            "duplicate 'tijaria-overview'",
        ),
        (
            "events.yml",
            "country: KE",
            "country: QQ",
            "events.yml, item 1, field country: unknown country code 'QQ'",
        ),
        (
            "sources.yml",
            'title: "Demo data"',
            'titel: "Demo data"',
            "sources.yml, item 3, field titel: unknown field",
        ),
        ("topics.yml", "topics:", "topics: [", "topics.yml: not valid YAML"),
    ],
)
def test_invalid_kb_is_reported_and_nothing_written(
    session: Session, kb_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    path = kb_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KBError) as info:
        load_kb(session, kb_dir=kb_copy)
    assert any(expected in p for p in info.value.problems), info.value.problems
    session.rollback()
    assert all(n == 0 for n in counts(session).values())


def test_missing_kb_directory(session: Session, tmp_path: Path) -> None:
    with pytest.raises(KBError, match="not found"):
        load_kb(session, kb_dir=tmp_path / "nope")


def test_missing_files_are_skipped(session: Session, tmp_path: Path, no_gazetteer: None) -> None:
    shutil.copy(KB / "sources.yml", tmp_path / "sources.yml")
    report = load_kb(session, kb_dir=tmp_path)
    assert report.tables == {"sources": {"created": 3}}
