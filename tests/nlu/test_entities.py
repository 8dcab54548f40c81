"""Tests of nlu.entities.EntityCanonicalizer and its contact-detail regexes."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from nlu.entities import EntityCanonicalizer, find_contacts, normalize_phone


@pytest.fixture(scope="module")
def component(tmp_path_factory) -> EntityCanonicalizer:
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    return EntityCanonicalizer.create(
        EntityCanonicalizer.get_default_config(),
        storage,
        Resource("entity_canonicalizer"),
        ExecutionContext(graph_schema=None),  # type: ignore[arg-type]
    )


def diet(entity: str, value: str, text: str, surface: str) -> dict[str, Any]:
    start = text.index(surface)
    return {
        "entity": entity,
        "value": value,
        "start": start,
        "end": start + len(surface),
        "confidence_entity": 0.9,
        "extractor": "DIETClassifier",
    }


def run(component: EntityCanonicalizer, text: str, entities=()) -> list[dict[str, Any]]:
    message = Message(data={"text": text, "entities": list(entities)})
    component.process([message])
    return message.get("entities")


def pairs(entities: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(e["entity"], e["value"]) for e in entities}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bghit ninscrire f la mission dial Kenya", {("country", "KE"), ("event_type", "mission")}),
        ("بغيت نتسجل فالبعثة ديال كينيا", {("country", "KE"), ("event_type", "mission")}),
        ("wach kayn chi salon f Hong Kong had l3am?", {("country", "HK"), ("event_type", "fair")}),
        (
            "je cherche les salons agroalimentaires en Chine",
            {("country", "CN"), ("event_type", "fair"), ("sector", "agrifood")},
        ),
        ("أريد معلومات عن السوق الصينية", {("country", "CN")}),
        (
            "Any trade fair in Texas for the textile sector?",
            {("event_type", "fair"), ("country", "US"), ("sector", "textile")},
        ),
        ("كاين شي منتدى فأكادير؟", {("event_type", "forum"), ("region", "souss-massa")}),
        ("merci", set()),
        ("le plan Maroc vert", set()),  # MA is never added from the gazetteer
        ("Kenya, Kenia et encore le Kenya", {("country", "KE")}),  # de-duplicated
    ],
)
def test_gazetteer_hits_are_added(component, text, expected):
    assert pairs(run(component, text)) == expected


def test_added_entities_name_the_extractor(component):
    (entity,) = run(component, "Nairobi")
    assert entity["extractor"] == "EntityCanonicalizer"
    assert (entity["start"], entity["end"], entity["value"]) == (0, 7, "KE")


def test_raw_diet_value_is_canonicalised(component):
    text = "je veux aller au kenia"
    (entity,) = run(component, text, [diet("country", "kenia", text, "kenia")])
    assert entity["value"] == "KE"
    assert entity["extractor"] == "DIETClassifier"
    assert entity["processors"] == ["EntityCanonicalizer"]


def test_canonical_diet_value_is_kept(component):
    text = "une mission à Nairobi"
    entities = run(component, text, [diet("country", "KE", text, "Nairobi")])
    assert pairs(entities) == {("country", "KE"), ("event_type", "mission")}
    (country,) = [e for e in entities if e["entity"] == "country"]
    assert country["extractor"] == "DIETClassifier" and "processors" not in country


def test_unmappable_diet_value_is_dropped(component):
    text = "salon à Zorglub"
    entities = run(component, text, [diet("country", "Zorglub", text, "Zorglub")])
    assert pairs(entities) == {("event_type", "fair")}


def test_moroccan_city_tagged_as_country_becomes_region(component):
    text = "exportateur à Agadir"
    (entity,) = run(component, text, [diet("country", "Agadir", text, "Agadir")])
    assert (entity["entity"], entity["value"]) == ("region", "souss-massa")


def test_gazetteer_hit_overlapping_diet_entity_is_not_added(component):
    text = "mission commerciale au Kenya"
    entities = run(component, text, [diet("event_type", "mission", text, "mission commerciale")])
    assert pairs(entities) == {("event_type", "mission"), ("country", "KE")}
    assert len(entities) == 2


def test_other_entities_pass_through(component):
    text = "mon nom est Amina"
    entities = run(component, text, [diet("name", "Amina", text, "Amina")])
    assert pairs(entities) == {("name", "Amina")}


def test_add_missing_can_be_turned_off():
    component = EntityCanonicalizer({"add_missing": False, "extract_contacts": False})
    assert run(component, "salon au Kenya") == []


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("mon numéro: 0612345678", "phone", "+212612345678"),
        ("+212 6 12 34 56 78", "phone", "+212612345678"),
        ("06 12 34 56 78", "phone", "+212612345678"),
        ("06.12.34.56.78", "phone", "+212612345678"),
        ("0522-12-34-56", "phone", "+212522123456"),
        ("٠٦١٢٣٤٥٦٧٨", "phone", "+212612345678"),
        ("رقمي ۰۶۱۲۳۴۵۶۷۸", "phone", "+212612345678"),
        ("00212612345678", "phone", "+212612345678"),
        ("+212 (0)6 12 34 56 78", "phone", "+212612345678"),
        ("+212 0612345678", "phone", "+212612345678"),
        ("call me on +33 6 12 34 56 78", "phone", "+33612345678"),
        ("+1 305 555 0100", "phone", "+13055550100"),
        ("ICE 001525822000088", "ice", "001525822000088"),
        ("l'ICE dyali ٠٠١٥٢٥٨٢٢٠٠٠٠٨٨", "ice", "001525822000088"),
        ("mon email: Amina.Alaoui@Exemple.MA", "email", "amina.alaoui@exemple.ma"),
        ("الإيميل ديالي export_2024@societe.co.ma", "email", "export_2024@societe.co.ma"),
    ],
)
def test_contacts(component, text, entity, value):
    assert (entity, value) in pairs(run(component, text))


@pytest.mark.parametrize(
    "text",
    [
        "0012345678901234",  # 16 digits: neither ICE nor phone
        "le 12/06/2025 à 10h",
        "ICE 00152582200008",  # 14 digits
        "budget 120000 MAD",
        "merci",
    ],
)
def test_no_contacts(text):
    assert find_contacts(text) == []


def test_contact_offsets_match_text():
    text = "tel 06 12 34 56 78, mail a@b.ma, ICE 001525822000088"
    for entity in find_contacts(text):
        assert entity["end"] > entity["start"]
    spans = {e["entity"]: text[e["start"] : e["end"]] for e in find_contacts(text)}
    assert spans == {"phone": "06 12 34 56 78", "email": "a@b.ma", "ice": "001525822000088"}


def test_diet_phone_value_is_normalised(component):
    text = "06 12 34 56 78"
    entities = run(component, text, [diet("phone", "06 12 34 56 78", text, text)])
    assert pairs(entities) == {("phone", "+212612345678")}


@pytest.mark.parametrize(("raw", "value"), [("0612345678", "+212612345678"), ("1234", None)])
def test_normalize_phone(raw, value):
    assert normalize_phone(raw) == value


def test_default_config_documents_keys():
    config = EntityCanonicalizer.get_default_config()
    assert set(config) == {
        "entities",
        "fuzzy_threshold",
        "add_missing",
        "ignore_found_values",
        "extract_contacts",
    }
