"""Events that take no more registrations (closed by staff, deadline passed, started, past):
listed and detailed without a register button, saying so, and refused with the open ones
offered, in French, Arabic, Darija (both scripts) and English."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.missions import ActionListMissions, ActionMissionDetails
from actions.registration.form import ActionAskEventSlug
from actions.registration.validation import ValidateRegistrationForm
from kb.models import Event
from tests.actions.info_support import render, responses, run, slot_events, tracker
from tests.conftest import Clock

DAKAR = "sample-dakar-b2b-mission-2026"  # 7-10 Dec 2026, deadline 30 Nov 2026
ABIDJAN = "sample-abidjan-b2b-mission-2027"
WEBINAR = "sample-afcfta-origin-webinar-2027"
#: After Dakar's deadline, before it starts.
AFTER_DAKARS_DEADLINE = "2026-12-02"
CLOSED = {
    "fr": "Les inscriptions à cet événement sont closes.",
    "ar": "التسجيل في هذا الحدث مغلق.",
    "en": "Registration for this event is closed.",
}
MISSIONS = [
    ("fr", "quelles sont les prochaines missions ?"),
    ("ar", "ما هي البعثات القادمة؟"),
    ("ar", "شنو هوما البعثات اللي جايين؟"),  # Darija, Arabic script
    ("fr", "chno homa lmissions jayin ?"),  # Darija, Latin script: answered in French
    ("en", "what are the upcoming trade missions?"),
]


def close(engine: Engine, slug: str, **values: Any) -> None:
    """Change an event as staff would (close-event, a corrected import)."""
    with Session(engine) as session, session.begin():
        session.execute(update(Event).where(Event.slug == slug).values(**values))


def register_payloads(message: dict[str, Any]) -> list[str]:
    return [
        str(b["payload"])
        for b in message.get("buttons") or []
        if str(b.get("payload")).startswith("/register_mission")
    ]


def cards(messages: list[dict[str, Any]], lang: str) -> dict[str, dict[str, Any]]:
    """Each listed event's card as the user sees it, by slug."""
    items = [m for m in messages if m.get("slug")]
    return {m["slug"]: shown for m, shown in zip(items, render(items, lang), strict=True)}


@pytest.mark.parametrize(("lang", "text"), MISSIONS)
async def test_a_closed_event_is_listed_without_a_register_button(
    kb: Engine, clock: Clock, lang: str, text: str
) -> None:
    clock.set(AFTER_DAKARS_DEADLINE)
    close(kb, ABIDJAN, status="closed")
    messages, _ = await run(
        ActionListMissions(), tracker(intent="ask_missions", text=text, lang=lang)
    )
    shown = cards(messages, lang)
    assert {DAKAR, ABIDJAN, WEBINAR} <= set(shown)
    for slug in (DAKAR, ABIDJAN):
        assert register_payloads(shown[slug]) == [], slug
        assert CLOSED[lang] in shown[slug]["text"]
        assert [b["payload"] for b in shown[slug]["buttons"]] == [
            f'/ask_mission_details{{"event_slug": "{slug}"}}'
        ]
    assert register_payloads(shown[WEBINAR]) == [f'/register_mission{{"event_slug": "{WEBINAR}"}}']
    assert CLOSED[lang] not in shown[WEBINAR]["text"]


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
async def test_a_closed_event_that_is_not_a_sample_says_only_closed(kb: Engine, lang: str) -> None:
    close(kb, ABIDJAN, status="closed", sample=False)
    messages, _ = await run(ActionListMissions(), tracker(intent="ask_missions", lang=lang))
    assert "utter_missions_item_closed" in responses(messages)
    card = cards(messages, lang)[ABIDJAN]
    assert register_payloads(card) == [] and CLOSED[lang] in card["text"]
    assert "🧪" not in card["text"]


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_an_event_under_way_takes_no_more_registrations(
    kb: Engine, clock: Clock, lang: str
) -> None:
    clock.set("2026-12-08")  # Dakar runs 7-10 December
    messages, _ = await run(ActionListMissions(), tracker(intent="ask_missions", lang=lang))
    assert register_payloads(cards(messages, lang)[DAKAR]) == []
    details = tracker(intent="ask_mission_details", entities=[_slug(DAKAR)], lang=lang)
    messages, _ = await run(ActionMissionDetails(), details)
    assert messages[0]["response"] == "utter_mission_details_closed"
    assert register_payloads(render(messages[:1], lang)[0]) == []


@pytest.mark.parametrize(
    ("lang", "text"),
    [("fr", "les missions au Kenya en 2025"), ("ar", "البعثات ف كينيا عام 2025")],
)
async def test_past_events_are_listed_without_a_register_button(
    kb: Engine, lang: str, text: str
) -> None:
    t = tracker(intent="ask_missions", text=text, entities=[_country("KE")], lang=lang)
    messages, _ = await run(ActionListMissions(), t)
    assert responses(messages)[0] == "utter_missions_past_only"
    past = cards(messages, lang)["nairobi-b2b-mission-2025"]
    assert register_payloads(past) == []
    assert [b["payload"] for b in past["buttons"]] == [
        '/ask_mission_details{"event_slug": "nairobi-b2b-mission-2025"}'
    ]


def _slug(slug: str) -> dict[str, str]:
    return {"entity": "event_slug", "value": slug}


def _country(code: str) -> dict[str, str]:
    return {"entity": "country", "value": code}


def registration_tracker(text: str, lang: str, entities: list[dict[str, str]]) -> Tracker:
    """The registration form just activated by ``text``."""
    latest = {"intent": {"name": "register_mission"}, "entities": entities, "text": text}
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}]
    loop = {"name": "registration_form"}
    return Tracker("user-1", {"language": lang}, latest, events, False, None, loop, "action_listen")


@pytest.mark.parametrize(
    ("lang", "text", "entities"),
    [
        ("fr", "je veux m'inscrire à la mission de Dakar", [_country("SN")]),
        ("ar", "أريد التسجيل في بعثة داكار", [_country("SN")]),
        ("ar", "بغيت نتسجل فالبعثة ديال داكار", [_country("SN")]),  # Darija, Arabic script
        ("fr", "bghit ntsjl f la mission dyal Dakar", [_country("SN")]),  # Darija, Latin script
        ("en", "/register_mission", [_slug(DAKAR)]),  # the button of an old list
    ],
)
async def test_register_on_a_closed_event_says_so_and_offers_the_open_ones(
    kb: Engine, clock: Clock, lang: str, text: str, entities: list[dict[str, str]]
) -> None:
    clock.set(AFTER_DAKARS_DEADLINE)
    close(kb, ABIDJAN, status="closed")
    t = registration_tracker(text, lang, entities)
    messages, events = await run(ValidateRegistrationForm(), t)
    assert responses(messages) == ["utter_registration_event_closed"]
    (refusal,) = render(messages, lang)
    assert messages[0]["slug"] == DAKAR and messages[0]["title"] in refusal["text"]
    assert slot_events(events)["event_slug"] is None
    messages, events = await run(ActionAskEventSlug(), t)
    assert responses(messages) == ["utter_ask_event_slug"]
    offered = slot_events(events)["listed_events"]
    assert len(offered) >= 2 and WEBINAR in offered
    assert DAKAR not in offered and ABIDJAN not in offered
