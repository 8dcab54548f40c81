"""A question about another event inside the registration form is answered, and the form goes
on with its own event (actions.missions.keep_form_event)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rasa_sdk import Tracker
from sqlalchemy.engine import Engine

from actions.common import slot_before_latest_message
from actions.missions import ActionMissionDetails
from tests.actions.test_missions import ABIDJAN, DAKAR, responses, run
from tests.conftest import Clock


@pytest.fixture(autouse=True)
def _today(clock: Clock) -> None:
    clock.set(date(2026, 11, 22))


def in_form(
    text: str,
    *,
    form_event: str | None,
    entities: dict[str, str] | None = None,
    extracted: str | None = None,
    loop: str | None = "registration_form",
    language: str = "fr",
) -> Tracker:
    """The member is in the form for ``form_event``; ``extracted`` is the slot value Rasa's
    from_entity mapping set from this message (a button's event_slug), if any."""
    ents = [{"entity": k, "value": v} for k, v in (entities or {}).items()]
    latest = {"intent": {"name": "ask_mission_details"}, "entities": ents, "text": text}
    events: list[dict[str, Any]] = []
    if form_event is not None:
        events.append({"event": "slot", "name": "event_slug", "value": form_event})
    if loop:
        events.append({"event": "active_loop", "name": loop})
    events.append({"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"})
    if extracted is not None:
        events.append({"event": "slot", "name": "event_slug", "value": extracted})
    slots = {"language": language, "event_slug": extracted or form_event}
    if loop:
        slots["requested_slot"] = "company_name"
    active = {"name": loop} if loop else {}
    return Tracker("member-1", slots, latest, events, False, None, active, "action_listen")


@pytest.mark.parametrize(
    ("text", "entities", "extracted", "language"),
    [
        ("/ask_mission_details", {"event_slug": ABIDJAN}, ABIDJAN, "fr"),  # its button
        ("et les frais de la mission à Abidjan ?", {"country": "CI"}, None, "fr"),
        ("شحال الثمن ديال البعثة ديال أبيدجان؟", {"country": "CI"}, None, "ar"),
        ("ch7al taman dyal mission f Abidjan?", {"country": "CI"}, None, "fr"),
        ("how much is the Abidjan mission?", {"country": "CI"}, None, "en"),
    ],
)
async def test_another_events_details_leave_the_forms_event(
    kb: Engine, text: str, entities: dict[str, str], extracted: str | None, language: str
) -> None:
    t = in_form(text, form_event=DAKAR, entities=entities, extracted=extracted, language=language)
    messages, slots = await run(ActionMissionDetails(), t)
    assert responses(messages)[0] == "utter_mission_details"
    assert messages[0]["slug"] == ABIDJAN  # the question is answered...
    assert slots == {"event_slug": DAKAR}  # ...and the form keeps its event


async def test_the_forms_own_event_is_answered_without_a_change(kb: Engine) -> None:
    t = in_form("c'est combien ?", form_event=DAKAR)
    messages, slots = await run(ActionMissionDetails(), t)
    assert messages[0]["slug"] == DAKAR
    assert slots == {"event_slug": DAKAR}


async def test_outside_the_form_the_event_asked_about_becomes_the_subject(kb: Engine) -> None:
    t = in_form(
        "/ask_mission_details",
        form_event=DAKAR,
        entities={"event_slug": ABIDJAN},
        extracted=ABIDJAN,
        loop=None,
    )
    messages, slots = await run(ActionMissionDetails(), t)
    assert messages[0]["slug"] == ABIDJAN
    assert slots == {"event_slug": ABIDJAN}


async def test_a_form_still_asking_which_event_takes_the_one_asked_about(kb: Engine) -> None:
    t = in_form("/ask_mission_details", form_event=None, entities={"event_slug": ABIDJAN})
    messages, slots = await run(ActionMissionDetails(), t)
    assert messages[0]["slug"] == ABIDJAN
    assert slots == {"event_slug": ABIDJAN}


def test_the_slot_before_the_message_ignores_what_the_message_set() -> None:
    t = in_form("/ask_mission_details", form_event=DAKAR, extracted=ABIDJAN)
    assert slot_before_latest_message(t, "event_slug") == DAKAR
    assert slot_before_latest_message(t, "consent") is None
