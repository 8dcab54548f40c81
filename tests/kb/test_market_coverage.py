"""The real knowledge base (data/kb) covers the markets members export to, every fact sourced,
blocs and agreements read from the one table (blocs.yml + agreements.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from kb.files.kb_schema import validate_kb
from nlu.vocabulary.gazetteer import load_gazetteer

KB_DIR = Path(__file__).resolve().parents[2] / "data" / "kb"

#: Morocco's main trading partners as named in the Office des Changes' foreign-trade reports
#: (source office-des-changes-trade); no rank is stored, only that each has a sheet.
PARTNERS = [
    "ES",
    "FR",
    "IT",
    "DE",
    "TR",
    "CN",
    "US",
    "SA",
    "IN",
    "GB",
    "NL",
    "BE",
    "PT",
    "BR",
    "EG",
    "RU",
    "JP",
    "CA",
    "AR",
    "MX",
    "AE",
    "KR",
    "PL",
    "BD",
    "PK",
    "DJ",
    "CH",
    "SE",
    "IE",
    "DK",
    "UA",
    "RO",
    "GR",
    "SG",
    "QA",
    "IQ",
    "TN",
    "DZ",
    "MR",
    "CI",
]
#: AU member states with an ISO 3166 code that signed the AfCFTA Agreement (all but Eritrea).
AFCFTA_SIGNATORIES = [
    "DZ",
    "AO",
    "BJ",
    "BW",
    "BF",
    "BI",
    "CV",
    "CM",
    "CF",
    "TD",
    "KM",
    "CG",
    "CD",
    "CI",
    "DJ",
    "EG",
    "GQ",
    "SZ",
    "ET",
    "GA",
    "GM",
    "GH",
    "GN",
    "GW",
    "KE",
    "LS",
    "LR",
    "LY",
    "MG",
    "MW",
    "ML",
    "MA",
    "MR",
    "MU",
    "MZ",
    "NA",
    "NE",
    "NG",
    "RW",
    "ST",
    "SN",
    "SC",
    "SL",
    "SO",
    "ZA",
    "SS",
    "SD",
    "TZ",
    "TG",
    "TN",
    "UG",
    "ZM",
    "ZW",
]
#: Names the gazetteer accepts only when asked (lookup), never in free text: common words.
WEAK_NAMES = {("BJ", "ar"), ("ML", "ar"), ("MU", "fr")}


@lru_cache(maxsize=1)
def kb() -> dict[str, list[Any]]:
    return validate_kb(KB_DIR, set())


def sheets() -> dict[str, dict[str, Any]]:
    return {m["country"]: m for m in kb()["markets"]}


def test_forty_partners_and_every_afcfta_signatory_have_a_sheet() -> None:
    assert len(set(PARTNERS)) == 40
    assert not set(PARTNERS) - set(sheets())
    afcfta = next(b for b in kb()["blocs"] if b["code"] == "AFCFTA")
    assert sorted(afcfta["members"]) == sorted(AFCFTA_SIGNATORIES)
    assert len(afcfta["members"]) == 53  # + one AU signatory without an ISO 3166 code
    assert "ER" not in afcfta["members"]
    assert set(afcfta["members"]) - set(sheets()) == {"MA"}  # no sheet for Morocco itself


def test_every_fact_bloc_and_agreement_names_a_known_source() -> None:
    sources = {s["id"]: s for s in kb()["sources"]}
    facts = [f for m in kb()["markets"] for f in m["facts"]]
    assert facts and all(f["source_id"] in sources for f in facts)
    for row in kb()["blocs"] + kb()["agreements"]:
        assert row["source_id"] in sources, row["code"]
    for row in kb()["blocs"]:  # membership lists come from the official body's own page
        assert row["url"] and sources[row["source_id"]]["url"], row["code"]


def test_sheets_list_no_bloc_or_agreement_of_their_own() -> None:
    raw = yaml.safe_load((KB_DIR / "markets.yml").read_text(encoding="utf-8"))["markets"]
    assert not [m["country"] for m in raw if "blocs" in m or "agreements" in m]


@pytest.mark.parametrize(
    ("country", "blocs", "agreements"),
    [
        ("KE", ["AFCFTA", "EAC", "COMESA", "IGAD"], ["afcfta"]),
        ("DE", ["EU"], ["eu-association"]),
        ("GB", [], ["uk-association"]),
        ("CH", ["EFTA"], ["efta"]),
        ("TN", ["AFCFTA", "AGADIR", "GAFTA", "AMU", "COMESA"], ["afcfta", "agadir", "gafta"]),
        ("AE", ["GAFTA", "GCC"], ["uae", "gafta"]),
        ("US", [], ["us-fta"]),
        ("TR", [], ["turkey-fta"]),
        ("ML", ["AFCFTA", "WAEMU"], ["afcfta"]),  # left ECOWAS on 29 January 2025
        ("BR", ["MERCOSUR"], []),
    ],
)
def test_blocs_and_agreements_come_from_the_one_table(
    country: str, blocs: list[str], agreements: list[str]
) -> None:
    sheet = sheets()[country]
    assert sheet["blocs"] == blocs
    assert sheet["agreements"] == agreements


def test_every_sheet_name_is_recognised_by_the_gazetteer() -> None:
    gazetteer = load_gazetteer()
    missed = []
    for code, sheet in sheets().items():
        for lang, name in sheet["name"].items():
            if gazetteer.lookup("country", name) != code:
                missed.append((code, lang, name))
            found = [m.value for m in gazetteer.find_all(f"exporter vers {name} svp")]
            if (code, lang) not in WEAK_NAMES and code not in found:
                missed.append((code, lang, name))
    assert missed == []
