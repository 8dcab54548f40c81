"""Blocs, agreements and market sheets of data/kb checked, and what a sheet derives from them.

Membership is written once: ``blocs.yml`` lists each bloc's members, ``agreements.yml`` names
the blocs (or single countries) an agreement covers. A market sheet lists neither: its blocs
and agreements are derived here from those two files when the knowledge base is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from kb.files.kb_item import Item
from nlu.vocabulary.canonical import is_country, is_sector

#: A bloc code: upper-case letters and digits (EU, ECOWAS, AFCFTA...).
_BLOC_CODE: Final = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
#: Fields a sheet may not hold, and why.
_DERIVED: Final = {
    "blocs": "a sheet does not list blocs: membership is kept once, in blocs.yml (members)",
    "agreements": "a sheet does not list agreements: they follow from agreements.yml "
    "(countries, blocs) and blocs.yml",
}


def bloc(it: Item) -> dict[str, Any]:
    """One bloc of blocs.yml: code, names, member countries and the source of the list."""
    it.unknown_keys(("code", "name", "members", "url", "source", "note"))
    code = it.unique("code")
    if code is not None and not _BLOC_CODE.match(code):
        it.fail("code", f"invalid bloc code '{code}' (upper-case letters and digits)")
    if it.value("members") in (None, []):
        it.fail("members", "missing required field (the bloc's member countries)")
    members = it.strings("members", is_country, "country code")
    return {
        "code": code,
        "name": it.texts("name"),
        "members": members,
        "url": it.url(),
        "source_id": it.source(),
    }


def agreement(it: Item, *, bloc_codes: set[str]) -> dict[str, Any]:
    """One agreement of agreements.yml; the blocs it names must be in blocs.yml."""
    it.unknown_keys(("code", "name", "aliases", "summary", "countries", "blocs", "url", "source"))
    return {
        "code": it.unique("code"),
        "name": it.texts("name"),
        "aliases": it.strings("aliases"),
        "summary": it.texts("summary"),
        "countries": it.strings("countries", is_country, "country code"),
        "blocs": it.strings("blocs", bloc_codes.__contains__, "bloc (not in blocs.yml)"),
        "url": it.url(),
        "source_id": it.source(),
    }


def _facts(it: Item) -> list[dict[str, Any]]:
    facts = []
    for n, value in enumerate(it.listed("facts", ""), 1):
        fact = it.nested(f"facts[{n}]", value, "{text, source}")
        if fact is not None:
            fact.unknown_keys(("text", "source"))
            facts.append({"text": fact.texts("text"), "source_id": fact.source()})
    return facts


def market(it: Item) -> dict[str, Any]:
    """One market sheet of markets.yml: every fact with its source, no bloc or agreement."""
    for key, why in _DERIVED.items():
        if key in it.data:
            it.fail(key, why)
    it.unknown_keys(("country", "name", "sectors", "facts", *_DERIVED))
    return {
        "country": it.unique("country", is_country, "country code"),
        "name": it.texts("name"),
        "sectors": it.strings("sectors", is_sector, "sector"),
        "facts": _facts(it),
    }


def derive_memberships(
    markets: Iterable[dict[str, Any]],
    blocs: list[dict[str, Any]],
    agreements: list[dict[str, Any]],
) -> None:
    """Set each market row's ``blocs`` and ``agreements`` from the blocs and agreements rows."""
    for row in markets:
        country = row["country"]
        row["blocs"] = [b["code"] for b in blocs if country in b["members"]]
        row["agreements"] = [
            a["code"]
            for a in agreements
            if country in a["countries"] or set(a["blocs"]).intersection(row["blocs"])
        ]
