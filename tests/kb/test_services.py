"""Procedures, regions and topics, read from the fixture knowledge base."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from kb.services import get_procedures, get_region, get_topic


def test_procedures_region_topic(kb: Session) -> None:
    procedures = get_procedures(kb, topic="tijaria")
    assert [p.code for p in procedures] == ["tijaria-overview", "tijaria-fees"]
    assert [s.fr for s in procedures[0].steps] == ["Créer un compte", "Déposer"]
    assert get_procedures(kb, topic="financing") == []
    region = get_region(kb, code="souss-massa")
    assert region and region.delegate_name == "Khalid Bounajma"
    assert region.delegate_as_of == date(2021, 6, 14)
    assert region.office_status and region.office_status.en == "Announced"
    oriental = get_region(kb, code="oriental")
    assert oriental and oriental.office_name is None and oriental.delegate_name is None
    topic = get_topic(kb, code="membership")
    assert topic and topic.body.get("en") == "Join ASMEX."
    assert get_topic(kb, code="nope") is None
