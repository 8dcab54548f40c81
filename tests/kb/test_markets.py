"""Markets and agreements, read from the fixture knowledge base."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kb.markets import find_market, get_market, list_agreements_for_country


def test_get_and_find_market(kb: Session) -> None:
    market = get_market(kb, country="ke")
    assert market and market.name.get("ar") == "كينيا"
    assert [f.text.en for f in market.facts] == ["Gateway to East Africa.", "B2B mission in 2025."]
    assert find_market(kb, query="KE") == market
    assert find_market(kb, query="etats-unis") is not None
    assert find_market(kb, query="الولايات المتحدة").country == "US"  # type: ignore[union-attr]
    assert find_market(kb, query="Atlantis") is None


def test_agreements_for_country(kb: Session) -> None:
    assert [a.code for a in list_agreements_for_country(kb, country="KE")] == ["afcfta"]
    assert [a.code for a in list_agreements_for_country(kb, country="US")] == ["ma-us-fta"]
    assert list_agreements_for_country(kb, country="FR") == []
