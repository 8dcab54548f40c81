"""Missions: the filtered list, one event's details, ordinals, display values and the .ics."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from icalendar import Calendar
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.event_search import resolve_event
from actions.ics import build_ics
from actions.missions import ActionDontKnow, ActionListMissions, ActionMissionDetails
from kb import display
from kb.events import get_event_by_slug, list_events
from kb.models import Event
from nlu.vocabulary.ordinals import named_position, ordinal_from_text, pick_listed
from tests.conftest import Clock

TODAY = date(2026, 11, 22)
DAKAR = "sample-dakar-b2b-mission-2026"
WEBINAR = "sample-afcfta-origin-webinar-2027"
ABIDJAN = "sample-abidjan-b2b-mission-2027"
NAIROBI_FORUM = "sample-nairobi-east-africa-forum-2027"
NAIROBI_PAST = "nairobi-b2b-mission-2025"


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _today(clock: Clock) -> None:
    clock.set(TODAY)


def tracker(
    text: str = "x",
    *,
    intent: str = "ask_missions",
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    language: str = "fr",
    sender: str = "user-1",
) -> Tracker:
    ents = [{"entity": k, "value": v} for k, v in (entities or {}).items()]
    latest = {"intent": {"name": intent}, "entities": ents, "text": text}
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}]
    all_slots = {"language": language, **(slots or {})}
    return Tracker(sender, all_slots, latest, events, False, None, {}, "action_listen")


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return dispatcher.messages, slots


def responses(messages: list[dict[str, Any]]) -> list[str | None]:
    return [m.get("response") for m in messages]


# --- pure functions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("la première", 1),
        ("le premier", 1),
        ("la 1ère", 1),
        ("la deuxième", 2),
        ("la 2e svp", 2),
        ("la seconde", 2),
        ("la troisième", 3),
        ("la dernière", -1),
        ("الأولى", 1),
        ("البعثة الثانية", 2),
        ("التانية", 2),
        ("الثالثة", 3),
        ("الأخيرة", -1),
        ("lwla", 1),
        ("bghit tania", 2),
        ("talta", 3),
        ("lkhra", -1),
        ("the first one", 1),
        ("the second one", 2),
        ("third", 3),
        ("the last one", -1),
        ("numéro 4", 4),
        ("رقم 2", 2),
        ("celle de Dakar", None),
        ("missions au Kenya", None),
        ("", None),
    ],
)
def test_ordinals(text: str, expected: int | None) -> None:
    assert ordinal_from_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", 2),
        ("la 2", 2),
        ("٢", 2),
        ("2️⃣", 2),
        ("la deuxième mission", 2),
        ("التانية عفاك", 2),
        ("bghit lkhra", -1),
        ("the last one", -1),
        ("0", None),
        ("2 missions au Kenya", None),
        ("missions au Kenya", None),
        ("", None),
    ],
)
def test_named_position_alone_or_in_a_sentence(text: str, expected: int | None) -> None:
    assert named_position(text) == expected


def test_pick_listed() -> None:
    listed = ["a", "b", "c"]
    assert pick_listed(listed, 2) == "b"
    assert pick_listed(listed, -1) == "c"
    assert pick_listed(listed, 4) is None
    assert pick_listed([], 1) is None


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", "15 mars 2027"), ("ar", "15 مارس 2027"), ("en", "15 March 2027")],
)
def test_format_date(lang: str, expected: str) -> None:
    assert display.format_date(date(2027, 3, 15), lang) == expected


def test_format_period_and_values() -> None:
    assert display.format_period(date(2026, 12, 7), date(2026, 12, 10), "fr") == (
        "7-10 décembre 2026"
    )
    assert display.format_period(date(2027, 2, 22), date(2027, 3, 2), "ar") == (
        "22 فبراير - 2 مارس 2027"
    )
    assert display.country_name("SN", "fr") == "Sénégal"
    assert display.country_name("SN", "ar") == "السنغال"
    assert display.country_name("US", "en") == "United States"
    assert display.sector_names(("agrifood", "construction"), "fr") == "agroalimentaire, BTP"
    assert display.sector_names((), "en") == "all sectors"
    assert display.fee(15000, "fr") == "15\u202f000 MAD"
    assert display.fee(0, "ar") == "مجاني"
    assert display.fee(None, "en") == "not specified"
    assert display.place(None, "MA", "webinar", "fr") == "en ligne"


# --- list -------------------------------------------------------------------------------------


async def test_list_upcoming_soonest_first(kb: Engine) -> None:
    messages, slots = await run(
        ActionListMissions(), tracker("quelles sont les prochaines missions ?")
    )
    assert messages[0]["response"] == "utter_missions_found"
    items = messages[1:]
    assert [m["slug"] for m in items] == slots["listed_events"]
    assert slots["listed_events"][:2] == [DAKAR, WEBINAR]
    assert all(m["response"] == "utter_missions_item_sample" for m in items)  # all samples
    first = items[0]
    assert first["dates"] == "7-10 décembre 2026"
    assert first["place"] == "Dakar, Sénégal"
    assert "agroalimentaire" in first["sectors"]


async def test_list_in_arabic_renders_arabic_values(kb: Engine) -> None:
    messages, _ = await run(
        ActionListMissions(),
        tracker("البعثات في السنغال", entities={"country": "SN"}, language="ar"),
    )
    item = messages[1]
    assert item["slug"] == DAKAR
    assert item["dates"] == "7-10 دجنبر 2026"
    assert item["place"] == "Dakar، السنغال"
    assert item["title"].startswith("بعثة أعمال إلى داكار")


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        (
            "missions agroalimentaires au Kenya",
            {"country": "KE", "sector": "agrifood"},
            [NAIROBI_FORUM],
        ),
        (
            "les salons",
            {"event_type": "fair"},
            ["sample-hong-kong-food-fair-2027", "sample-milan-food-fair-2027"],
        ),
        ("les missions le mois prochain", {}, [DAKAR]),
        ("في شهر مارس", {}, [NAIROBI_FORUM]),
        ("chno kayn had l3am", {}, [DAKAR]),
        ("next quarter", {"event_type": "mission"}, [ABIDJAN]),
        ("f septembre", {}, ["sample-milan-food-fair-2027"]),
    ],
)
async def test_list_filters(
    kb: Engine, text: str, entities: dict[str, str], expected: list[str]
) -> None:
    _, slots = await run(ActionListMissions(), tracker(text, entities=entities))
    assert slots["listed_events"] == expected


async def test_none_found_offers_alternatives_and_alerts(kb: Engine) -> None:
    messages, slots = await run(
        ActionListMissions(),
        tracker(
            "missions aéronautique au Sénégal", entities={"country": "SN", "sector": "aeronautics"}
        ),
    )
    names = responses(messages)
    assert names[0] == "utter_missions_none"
    assert "utter_missions_alternatives" in names
    assert slots["listed_events"] == [DAKAR]  # same country, other sectors
    offer = messages[-1]
    assert offer["response"] == "utter_missions_offer_alerts"
    assert json.loads(offer["alert_filters"]) == {"country": "SN", "sector": "aeronautics"}


async def test_past_period_says_past(kb: Engine) -> None:
    messages, _ = await run(
        ActionListMissions(), tracker("les missions au Kenya en 2025", entities={"country": "KE"})
    )
    names = responses(messages)
    assert names[0] == "utter_missions_past_only"
    assert messages[1]["response"] == "utter_missions_item_past"
    assert messages[1]["slug"] == NAIROBI_PAST


async def test_list_db_down(db_down: None) -> None:
    messages, slots = await run(ActionListMissions(), tracker("missions"))
    assert responses(messages) == ["utter_db_unavailable"]
    assert slots == {}


# --- "je sais pas" outside a form ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entities", "language", "expected"),
    [
        (
            "je ne sais pas quelle mission choisir",
            {"event_type": "mission"},
            "fr",
            [DAKAR, ABIDJAN],
        ),
        (
            "لا أدري أي معرض أختار",
            {"event_type": "fair"},
            "ar",
            ["sample-hong-kong-food-fair-2027", "sample-milan-food-fair-2027"],
        ),
        ("ma3reftch chmen mission f Kenya", {"event_type": "mission", "country": "KE"}, "fr", []),
    ],
)
async def test_not_knowing_which_event_lists_the_events_to_choose_from(
    kb: Engine, text: str, entities: dict[str, str], language: str, expected: list[str]
) -> None:
    t = tracker(text, intent="dont_know", entities=entities, language=language)
    messages, slots = await run(ActionDontKnow(), t)
    listed, _ = await run(ActionListMissions(), t)
    assert messages == listed  # what "les missions ..." would have listed
    if expected:
        assert responses(messages)[0] == "utter_missions_found"
        assert slots["listed_events"][: len(expected)] == expected
    else:  # none upcoming: said so, with alternatives and the alert offer
        assert responses(messages)[0] in ("utter_missions_none", "utter_missions_past_only")


@pytest.mark.parametrize("text", ["je sais pas", "ما عرفت والو", "no idea"])
async def test_a_bare_dont_know_outside_a_form_gets_the_menu(kb: Engine, text: str) -> None:
    messages, slots = await run(ActionDontKnow(), tracker(text, intent="dont_know"))
    assert responses(messages) == ["utter_help"]
    assert slots == {}


# --- details ----------------------------------------------------------------------------------


async def test_details_from_button_slug_with_ics(kb: Engine) -> None:
    t = tracker(
        "/ask_mission_details", intent="ask_mission_details", entities={"event_slug": DAKAR}
    )
    messages, slots = await run(ActionMissionDetails(), t)
    names = responses(messages)
    assert names[:3] == [
        "utter_mission_details",
        "utter_mission_sample_notice",
        "utter_mission_calendar",
    ]
    details = messages[0]
    assert details["fee"] == "15\u202f000 MAD"
    assert details["deadline"] == "30 novembre 2026"
    assert details["link"] == "https://example.org/asmex/sample-dakar-b2b-mission-2026"
    ics = messages[-1]["custom"]
    assert ics["type"] == "ics" and ics["filename"] == f"{DAKAR}.ics"
    vevent = Calendar.from_ical(ics["content"]).walk("VEVENT")[0]
    assert vevent.decoded("dtstart") == date(2026, 12, 7)
    assert vevent.decoded("dtend") == date(2026, 12, 11)
    assert slots == {"event_slug": DAKAR}


async def test_details_by_ordinal_from_last_list(kb: Engine) -> None:
    t = tracker(
        "la deuxième",
        intent="ask_mission_details",
        slots={"listed_events": [DAKAR, WEBINAR, ABIDJAN]},
    )
    messages, slots = await run(ActionMissionDetails(), t)
    assert messages[0]["slug"] == WEBINAR
    assert messages[0]["place"] == "en ligne"
    assert messages[0]["fee"] == "gratuit"


@pytest.mark.parametrize(
    ("text", "entities", "language"),
    [
        ("celle de Dakar", {}, "fr"),
        ("التانية", {}, "ar"),
        ("the first one", {}, "en"),
        ("details dial mission Senegal", {"country": "SN"}, "fr"),
    ],
)
async def test_details_references(
    kb: Engine, text: str, entities: dict[str, str], language: str
) -> None:
    listed = [ABIDJAN, DAKAR] if text == "التانية" else [DAKAR, ABIDJAN]
    t = tracker(
        text,
        intent="ask_mission_details",
        entities=entities,
        slots={"listed_events": listed},
        language=language,
    )
    messages, slots = await run(ActionMissionDetails(), t)
    assert slots["event_slug"] == DAKAR


async def test_details_of_a_past_event_says_past(kb: Engine) -> None:
    t = tracker(
        "la mission de Nairobi",
        intent="ask_mission_details",
        entities={"country": "KE", "event_type": "mission"},
    )
    messages, slots = await run(ActionMissionDetails(), t)
    assert responses(messages) == ["utter_mission_past"]
    assert messages[0]["slug"] == NAIROBI_PAST
    assert messages[0]["dates"] == "10-14 novembre 2025"


async def test_details_ambiguous_gives_buttons(kb: Engine) -> None:
    t = tracker(
        "la mission agroalimentaire",
        intent="ask_mission_details",
        entities={"event_type": "mission", "sector": "agrifood"},
    )
    messages, slots = await run(ActionMissionDetails(), t)
    assert responses(messages) == ["utter_mission_which"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[0] == f'/ask_mission_details{{"event_slug": "{DAKAR}"}}'
    assert len(payloads) == len(slots["listed_events"]) > 1


async def test_details_closed_and_cancelled(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        session.execute(update(Event).where(Event.slug == ABIDJAN).values(status="closed"))
        session.execute(update(Event).where(Event.slug == WEBINAR).values(status="cancelled"))
    messages, _ = await run(
        ActionMissionDetails(),
        tracker("x", intent="ask_mission_details", entities={"event_slug": ABIDJAN}),
    )
    assert messages[0]["response"] == "utter_mission_details_closed"
    messages, _ = await run(
        ActionMissionDetails(),
        tracker("x", intent="ask_mission_details", entities={"event_slug": WEBINAR}),
    )
    assert responses(messages) == ["utter_mission_cancelled"]


async def test_details_follow_up_uses_the_event_discussed(kb: Engine) -> None:
    t = tracker("combien ça coûte ?", intent="ask_mission_details", slots={"event_slug": ABIDJAN})
    messages, _ = await run(ActionMissionDetails(), t)
    assert messages[0]["slug"] == ABIDJAN and messages[0]["fee"] == "18\u202f000 MAD"


async def test_details_not_found(kb: Engine) -> None:
    t = tracker("la mission au Japon", intent="ask_mission_details", entities={"country": "JP"})
    messages, _ = await run(ActionMissionDetails(), t)
    assert responses(messages) == ["utter_mission_not_found"]


async def test_details_db_down(db_down: None) -> None:
    messages, _ = await run(ActionMissionDetails(), tracker("la deuxième"))
    assert responses(messages) == ["utter_db_unavailable"]


def test_resolve_event_prefers_the_last_list(kb: Engine) -> None:
    with Session(kb) as session:
        events = list_events(session, today=TODAY, include_past=True, limit=None)
    found = resolve_event(
        text="le forum", entities={"event_type": "forum"}, listed=[NAIROBI_FORUM], events=events
    )
    assert found.event is not None and found.event.slug == NAIROBI_FORUM


def test_ics_in_english(kb: Engine) -> None:
    with Session(kb) as session:
        event = get_event_by_slug(session, slug=ABIDJAN, today=TODAY)
    assert event is not None
    text = build_ics(event, "en")
    vevent = Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(vevent["summary"]).startswith("B2B mission to Abidjan")
    assert str(vevent["location"]) == "Abidjan, Côte d'Ivoire"
    assert str(vevent["url"]) == "https://example.org/asmex/sample-abidjan-b2b-mission-2027"
