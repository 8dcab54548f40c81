"""World regions named in a request, and the missions listed for them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pycountry
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.event_search import all_events, latest_entities, resolve_event
from actions.missions import ActionListMissions
from actions.registration.form import ActionAskEventSlug
from nlu.vocabulary.areas import AREAS, area_in_text, read_inside_area, request_area
from tests.actions.info_support import TODAY
from tests.actions.test_missions import responses, run, tracker
from tests.actions.test_registration import run as run_registration
from tests.actions.test_registration import slots_of
from tests.actions.test_registration import tracker as registration_tracker

ABIDJAN = "sample-abidjan-b2b-mission-2027"
DAKAR = "sample-dakar-b2b-mission-2026"
LAGOS = "sample-lagos-b2b-mission-2027"
MILAN = "sample-milan-food-fair-2027"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("quels salons en Europe ?", "europe"),
        ("des missions en Afrique de l'Ouest", "west_africa"),
        ("les pays de la CEDEAO", "west_africa"),
        ("missions en Afrique subsaharienne", "sub_saharan_africa"),
        ("kayn chi mission f afri9ya?", "africa"),
        ("wach kayna chi foire f l'Europe", "europe"),
        ("chi haja f lkhalij", "gulf"),
        ("معارض في أوروبا", "europe"),
        ("بعثات لإفريقيا", "africa"),
        ("بعثة إلى غرب أفريقيا", "west_africa"),
        ("فالخليج", "gulf"),
        ("معارض في الشرق الأوسط", "middle_east"),
        ("بعثات إلى أمريكا اللاتينية", "latin_america"),
        ("fairs in Latin America", "latin_america"),
        ("trade missions to East Africa", "east_africa"),
        ("missions en Asie", "asia"),
        ("salons au Moyen-Orient", "middle_east"),
        ("foires dans l'Union européenne", "eu"),
    ],
)
def test_a_region_named_in_any_language(text: str, code: str) -> None:
    found = area_in_text(text)
    assert found is not None and found[0].code == code


@pytest.mark.parametrize(
    "text",
    [
        "missions en Afrique du Sud",  # a country
        "بعثة إلى جنوب أفريقيا",
        "missions au Maroc",
        "المغرب",  # Morocco, not the Maghreb
        "les prochaines missions",
        "un salon à Paris",
        "",
        None,
    ],
)
def test_no_region(text: str | None) -> None:
    assert area_in_text(text) is None


def test_regions_hold_real_countries_and_nest() -> None:
    for area in AREAS.values():
        unknown = {c for c in area.countries if pycountry.countries.get(alpha_2=c) is None}
        assert unknown <= {"XK"}, (area.code, unknown)  # Kosovo has no ISO code yet
    africa = AREAS["africa"].countries
    for part in ("west_africa", "east_africa", "central_africa", "southern_africa"):
        assert AREAS[part].countries <= AREAS["sub_saharan_africa"].countries <= africa
    assert AREAS["eu"].countries <= AREAS["europe"].countries
    assert AREAS["gulf"].countries <= AREAS["middle_east"].countries
    assert {"SN", "CI", "NG"} <= AREAS["west_africa"].countries
    assert "ZA" not in AREAS["west_africa"].countries and "HK" not in AREAS["europe"].countries


def country(text: str, said: str, code: str) -> dict[str, Any]:
    start = text.index(said)
    return {"entity": "country", "value": code, "start": start, "end": start + len(said)}


def test_a_country_read_inside_the_regions_name_gives_way_to_the_region() -> None:
    text = "fairs in Latin America"
    assert read_inside_area(text, country(text, "America", "US"))
    t = tracker(text, entities={"event_type": "fair"})
    t.latest_message["entities"].append(country(text, "America", "US"))
    assert latest_entities(t) == {"event_type": "fair"}
    area = request_area(text, None)
    assert area is not None and area.code == "latin_america"


def test_a_country_of_its_own_wins_over_the_region() -> None:
    text = "missions au Sénégal en Afrique de l'Ouest"
    assert not read_inside_area(text, country(text, "Sénégal", "SN"))
    assert not read_inside_area(text, {"entity": "country", "value": "SN"})  # no offsets
    assert request_area(text, "SN") is None


@pytest.mark.parametrize(
    ("text", "entities", "language", "expected"),
    [
        ("quels salons en Europe ?", {"event_type": "fair"}, "fr", [MILAN]),  # not Hong Kong
        ("معارض في أوروبا", {"event_type": "fair"}, "ar", [MILAN]),
        ("fairs in Europe", {"event_type": "fair"}, "en", [MILAN]),
        (
            "missions en Afrique de l'Ouest",
            {"event_type": "mission"},
            "fr",
            [DAKAR, ABIDJAN, LAGOS],
        ),
        ("missions f afri9ya", {"event_type": "mission"}, "fr", [DAKAR, ABIDJAN, LAGOS]),
    ],
)
async def test_events_listed_for_a_region(
    kb: Engine, text: str, entities: dict[str, str], language: str, expected: list[str]
) -> None:
    messages, listed = await run(
        ActionListMissions(), tracker(text, entities=entities, language=language)
    )
    assert responses(messages)[0] == "utter_missions_found"
    assert listed["listed_events"] == expected


async def test_a_region_without_events_says_so_and_offers_others(kb: Engine) -> None:
    text = "missions en Amérique latine"
    t = tracker(text, entities={"event_type": "mission"})
    t.latest_message["entities"].append(country(text, "Amérique", "US"))
    messages, listed = await run(ActionListMissions(), t)
    names = responses(messages)
    assert names[0] == "utter_missions_none"  # not the Mississippi mission as a match
    assert "utter_missions_alternatives" in names
    assert listed["listed_events"]


def known_events(engine: Engine) -> list[Any]:
    with Session(engine) as session:
        return all_events(session, today=date.fromisoformat(TODAY))


async def test_an_event_meant_by_its_region(kb: Engine) -> None:
    events = known_events(kb)
    west = resolve_event(
        text="je veux m'inscrire à la mission en Afrique de l'Ouest",
        entities={"event_type": "mission"},
        listed=[],
        events=events,
    )
    assert [e.slug for e in west.candidates] == [DAKAR, ABIDJAN, LAGOS]  # not Mississippi
    europe = resolve_event(
        text="بغيت نتسجل فالمعرض ديال أوروبا", entities={}, listed=[], events=events
    )
    assert europe.event is not None and europe.event.slug == MILAN


async def test_the_forms_event_question_offers_the_regions_events(kb: Engine) -> None:
    t = registration_tracker(
        "je veux m'inscrire à une mission en Afrique de l'Ouest",
        intent="register_mission",
        entities={"event_type": "mission"},
    )
    _, events = await run_registration(ActionAskEventSlug(), t)
    assert slots_of(events)["listed_events"] == [DAKAR, ABIDJAN, LAGOS]
