"""Registration form validation, submission (once), my registrations and cancelling."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.registration.answers import (
    FORM_SLOTS,
    clean_company_name,
    clean_person_name,
    sector_from_text,
)
from actions.registration.consent import accept
from actions.registration.form import (
    ActionAskEventSlug,
    ActionAskRegistrationConfirmed,
    ActionRegistrationDontKnow,
    ActionStopRegistration,
    ActionSubmitRegistration,
)
from actions.registration.my_registrations import (
    ActionCancelRegistrationConfirm,
    ActionCancelRegistrationKeep,
    ActionCancelRegistrationStart,
    ActionListRegistrations,
)
from actions.registration.validation import ValidateRegistrationForm
from kb.models import Event, Registration, User
from kb.registrations import create_registration
from kb.users import get_or_create_user
from nlu.vocabulary.contacts import normalize_email, normalize_ice, normalize_phone
from tests.actions.info_support import domain_dict
from tests.conftest import Clock

TODAY = date(2026, 11, 22)
DAKAR = "sample-dakar-b2b-mission-2026"
WEBINAR = "sample-afcfta-origin-webinar-2027"
ABIDJAN = "sample-abidjan-b2b-mission-2027"
NAIROBI_PAST = "nairobi-b2b-mission-2025"
VALID_ICE = "001525822000064"
#: What rasa_sdk passes the form's actions: the Rasa server sends them no domain (domain.yml).
DOMAIN: dict[str, Any] = {}

ANSWERS = {
    "company_name": "Atlas Export SARL",
    "ice": VALID_ICE,
    "contact_name": "Samira Alaoui",
    "email": "samira@atlas-export.ma",
    "phone": "+212612345678",
    "sector": "agrifood",
}


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _today(clock: Clock) -> None:
    clock.set(TODAY)


def tracker(
    text: str = "x",
    *,
    intent: str = "inform",
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    set_now: dict[str, Any] | None = None,
    language: str = "fr",
    sender: str = "user-1",
) -> Tracker:
    """A tracker after a user message; ``set_now`` are slots set since that message."""
    ents = [{"entity": k, "value": v} for k, v in (entities or {}).items()]
    latest = {"intent": {"name": intent}, "entities": ents, "text": text}
    events: list[dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}
    ]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (set_now or {}).items()]
    all_slots = {"language": language, **(slots or {}), **(set_now or {})}
    return Tracker(
        sender,
        all_slots,
        latest,
        events,
        False,
        None,
        {"name": "registration_form"},
        "action_listen",
    )


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    return dispatcher.messages, events


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict[str, Any]]) -> list[str | None]:
    return [m.get("response") for m in messages]


def registrations(engine: Engine) -> list[Registration]:
    with Session(engine) as session:
        return list(session.scalars(select(Registration)))


# --- pure validators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID_ICE, VALID_ICE),
        ("001 525 822 000 064", VALID_ICE),
        ("001.525.822.000.064", VALID_ICE),
        ("٠٠١٥٢٥٨٢٢٠٠٠٠٦٤", VALID_ICE),  # Arabic-Indic digits
        ("002654321000037", "002654321000037"),
        ("001525822000088", None),  # bad checksum
        ("00152582200006", None),  # 14 digits
        ("0015258220000640", None),  # 16 digits
        ("00152582200006A", None),  # a letter
        ("ICE", None),
        ("", None),
    ],
)
def test_ice(text: str, expected: str | None) -> None:
    assert normalize_ice(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0612345678", "+212612345678"),
        ("+212612345678", "+212612345678"),
        ("00212612345678", "+212612345678"),
        ("06 12 34 56 78", "+212612345678"),
        ("06.12.34.56.78", "+212612345678"),
        ("٠٦١٢٣٤٥٦٧٨", "+212612345678"),
        ("0712345678", "+212712345678"),
        ("0522123456", "+212522123456"),
        ("+212 6 12 34 56 78", "+212612345678"),
        ("+33612345678", "+33612345678"),  # foreign numbers with their country code
        ("12", None),
        ("061234", None),
        ("n'importe quoi", None),
        ("abc", None),
        ("", None),
    ],
)
def test_phone(text: str, expected: str | None) -> None:
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("samira@atlas-export.ma", "samira@atlas-export.ma"),
        ("mon email c'est Samira.Alaoui@Atlas.MA", "samira.alaoui@atlas.ma"),
        ("samira@atlas", None),
        ("samira.atlas.ma", None),
        ("@atlas.ma", None),
        ("", None),
    ],
)
def test_email(text: str, expected: str | None) -> None:
    assert normalize_email(text) == expected


def test_names() -> None:
    assert clean_company_name("  Atlas   Export SARL ") == "Atlas Export SARL"
    assert clean_company_name("شركة الأطلس للتصدير") == "شركة الأطلس للتصدير"
    assert clean_company_name("1234") is None
    assert clean_company_name("A") is None
    assert clean_person_name("Samira Alaoui") == "Samira Alaoui"
    assert clean_person_name("سميرة العلوي") == "سميرة العلوي"
    assert clean_person_name("0612345678") is None
    assert clean_person_name("a@b.ma") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agrifood", "agrifood"),
        ("agroalimentaire", "agrifood"),
        ("agro", "agrifood"),
        ("BTP", "construction"),
        ("on fait du textile", "textile"),
        ("النسيج", "textile"),
        ("blablabla", None),
        ("", None),
    ],
)
def test_sector(text: str, expected: str | None) -> None:
    assert sector_from_text(text) == expected


# --- form validation ---------------------------------------------------------------------------


async def validate(slot: str, value: Any, t: Tracker) -> tuple[list[str | None], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateRegistrationForm(), f"validate_{slot}")
    result = await method(value, dispatcher, t, DOMAIN)
    return responses(dispatcher.messages), result


async def test_open_event_is_accepted(kb: Engine) -> None:
    assert await validate("event_slug", DAKAR, tracker()) == ([], {"event_slug": DAKAR})


@pytest.mark.parametrize(
    ("slug", "response"),
    [
        (NAIROBI_PAST, "utter_registration_event_past"),
        ("no-such-event", "utter_registration_event_unknown"),
    ],
)
async def test_event_refusals(kb: Engine, slug: str, response: str) -> None:
    assert await validate("event_slug", slug, tracker()) == ([response], {"event_slug": None})


async def test_closed_and_cancelled_events_are_refused(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        session.execute(update(Event).where(Event.slug == ABIDJAN).values(status="closed"))
        session.execute(update(Event).where(Event.slug == WEBINAR).values(status="cancelled"))
    assert await validate("event_slug", ABIDJAN, tracker()) == (
        ["utter_registration_event_closed"],
        {"event_slug": None},
    )
    assert await validate("event_slug", WEBINAR, tracker()) == (
        ["utter_registration_event_cancelled"],
        {"event_slug": None},
    )


async def test_passed_deadline_is_refused(kb: Engine, clock: Clock) -> None:
    clock.set("2026-12-01")  # Dakar: deadline 30 Nov, starts 7 Dec
    dispatcher = CollectingDispatcher()
    result = await ValidateRegistrationForm().validate_event_slug(
        DAKAR, dispatcher, tracker(), DOMAIN
    )
    assert result == {"event_slug": None}
    assert dispatcher.messages[0]["response"] == "utter_registration_event_closed"
    assert dispatcher.messages[0]["deadline"] == "30 novembre 2026"


async def test_db_down_while_checking_the_event(db_down: None) -> None:
    assert await validate("event_slug", DAKAR, tracker()) == (
        ["utter_db_unavailable"],
        {"event_slug": None},
    )


@pytest.mark.parametrize(
    ("slot", "value", "expected"),
    [
        ("company_name", "Atlas Export SARL", "Atlas Export SARL"),
        ("company_name", "42", None),
        ("ice", "001 525 822 000 064", VALID_ICE),
        ("ice", "001525822000088", None),
        ("contact_name", "Samira Alaoui", "Samira Alaoui"),
        ("contact_name", "12345", None),
        ("email", "Samira@Atlas-Export.ma", "samira@atlas-export.ma"),
        ("email", "samira@", None),
        ("phone", "06 12 34 56 78", "+212612345678"),
        ("phone", "123", None),
        ("sector", "agro", "agrifood"),
        ("sector", "xyz", None),
    ],
)
async def test_answers_are_validated(slot: str, value: str, expected: str | None) -> None:
    said, result = await validate(slot, value, tracker())
    assert result == {slot: expected}
    assert said == ([] if expected else [f"utter_registration_invalid_{slot}"])


async def test_form_run_reasks_an_invalid_phone() -> None:
    t = tracker(
        "123", slots={"requested_slot": "phone", "event_slug": DAKAR}, set_now={"phone": "123"}
    )
    messages, events = await run(ValidateRegistrationForm(), t)
    assert responses(messages) == ["utter_registration_invalid_phone"]
    assert slots_of(events) == {"phone": None}


@pytest.mark.parametrize(
    ("text", "entities", "slots", "expected"),
    [
        ("la deuxième", {}, {"listed_events": [WEBINAR, DAKAR]}, DAKAR),
        ("التانية", {}, {"listed_events": [WEBINAR, DAKAR]}, DAKAR),
        ("celle de Dakar", {}, {}, DAKAR),
        ("bghit nsjl f mission dial Senegal", {"country": "SN"}, {}, DAKAR),
        ("/register_mission", {"event_slug": ABIDJAN}, {}, ABIDJAN),
        ("la mission de Nairobi", {"country": "KE", "event_type": "mission"}, {}, NAIROBI_PAST),
    ],
)
async def test_event_is_resolved_from_the_message(
    kb: Engine, text: str, entities: dict[str, str], slots: dict[str, Any], expected: str
) -> None:
    t = tracker(
        text,
        intent="register_mission",
        entities=entities,
        slots={"requested_slot": "event_slug", **slots},
    )
    result = await ValidateRegistrationForm().extract_event_slug(CollectingDispatcher(), t, DOMAIN)
    assert result == {"event_slug": expected}


@pytest.mark.parametrize("text", ["2", "la 2", "٢", "2️⃣", "رقم ٢", "tania", "the second one"])
async def test_a_typed_number_inside_the_list_picks_that_event(kb: Engine, text: str) -> None:
    """A bare "2" that reached the form as text (no channel resolved it) is the second event
    offered, never "this list has only 5 choices"."""
    listed = [WEBINAR, ABIDJAN, DAKAR, "sample-hong-kong-food-fair-2027", NAIROBI_PAST]
    t = tracker(text, slots={"requested_slot": "event_slug", "listed_events": listed})
    dispatcher = CollectingDispatcher()
    result = await ValidateRegistrationForm().extract_event_slug(dispatcher, t, DOMAIN)
    assert result == {"event_slug": ABIDJAN}
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    "text", ["8", "رقم ٨", "la cinquième", "الخامسة", "lkhamsa afak", "the fifth one"]
)
async def test_a_position_beyond_the_events_offered_says_how_many_there_are(
    kb: Engine, text: str
) -> None:
    listed = [DAKAR, ABIDJAN, WEBINAR]
    t = tracker(text, slots={"requested_slot": "event_slug", "listed_events": listed})
    dispatcher = CollectingDispatcher()
    result = await ValidateRegistrationForm().extract_event_slug(dispatcher, t, DOMAIN)
    # A slot set (to nothing) keeps the form running: it asks its question again.
    assert result == {"event_slug": None}
    assert dispatcher.messages == [
        {**dispatcher.messages[0], "response": "utter_choice_beyond_list", "choice_count": 3}
    ]


async def test_words_naming_no_event_are_left_to_the_forms_rules(kb: Engine) -> None:
    t = tracker("euh", slots={"requested_slot": "event_slug", "listed_events": [DAKAR, ABIDJAN]})
    dispatcher = CollectingDispatcher()
    assert await ValidateRegistrationForm().extract_event_slug(dispatcher, t, DOMAIN) == {}
    assert dispatcher.messages == []


async def test_event_is_not_extracted_while_another_slot_is_asked(kb: Engine) -> None:
    t = tracker("Dakar Export SARL", slots={"requested_slot": "company_name"})
    assert (
        await ValidateRegistrationForm().extract_event_slug(CollectingDispatcher(), t, DOMAIN) == {}
    )


async def test_past_event_named_at_activation_is_refused(kb: Engine) -> None:
    t = tracker(
        "je veux m'inscrire à la mission de Nairobi",
        intent="register_mission",
        entities={"country": "KE", "event_type": "mission"},
    )
    messages, events = await run(ValidateRegistrationForm(), t)
    assert responses(messages) == ["utter_registration_event_past"]
    assert slots_of(events)["event_slug"] is None


async def test_ask_event_offers_open_events(kb: Engine) -> None:
    messages, events = await run(
        ActionAskEventSlug(), tracker("je veux m'inscrire", intent="register_mission")
    )
    assert responses(messages) == ["utter_ask_event_slug"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[0] == f'/register_mission{{"event_slug": "{DAKAR}"}}'
    assert slots_of(events)["listed_events"][0] == DAKAR


async def test_ask_event_again_keeps_the_choices_offered(kb: Engine) -> None:
    first_messages, first_events = await run(
        ActionAskEventSlug(),
        tracker(
            "je veux m'inscrire à une mission",
            intent="register_mission",
            entities={"event_type": "mission"},
        ),
    )
    offered = slots_of(first_events)["listed_events"]
    assert DAKAR in offered and ABIDJAN in offered and WEBINAR not in offered  # missions only
    # The user answers the question with words naming no event ("euh", then "please rephrase").
    again = tracker("euh je sais pas", slots={"listed_events": offered})
    again.events.insert(0, {"event": "slot", "name": "requested_slot", "value": "event_slug"})
    messages, events = await run(ActionAskEventSlug(), again)
    assert responses(messages) == ["utter_ask_event_slug"]
    assert messages[0]["buttons"] == first_messages[0]["buttons"]
    assert slots_of(events)["listed_events"] == offered
    # Without the earlier question, the same words get every open event, the webinar included.
    _, events = await run(
        ActionAskEventSlug(), tracker("euh je sais pas", slots={"listed_events": offered})
    )
    assert WEBINAR in slots_of(events)["listed_events"]


async def test_first_event_question_ignores_an_older_list(kb: Engine) -> None:
    # A list seen before the form (here only Abidjan) does not narrow the form's first question.
    t = tracker("je veux m'inscrire", intent="register_mission", slots={"listed_events": [ABIDJAN]})
    messages, events = await run(ActionAskEventSlug(), t)
    assert len(messages[0]["buttons"]) > 1
    assert slots_of(events)["listed_events"][0] == DAKAR


async def test_summary_before_confirmation(kb: Engine) -> None:
    t = tracker(slots={"event_slug": DAKAR, **ANSWERS}, language="en")
    messages, _ = await run(ActionAskRegistrationConfirmed(), t)
    assert messages[0]["response"] == "utter_ask_registration_confirmed"
    assert messages[0]["title"].startswith("B2B mission to Dakar")
    assert messages[0]["dates"] == "7-10 December 2026"
    assert messages[0]["sector_label"] == "agrifood"


# --- submission -----------------------------------------------------------------------------------


def confirmed(**extra: Any) -> Tracker:
    return tracker(
        "oui",
        intent="affirm",
        slots={
            "event_slug": DAKAR,
            "consent": True,
            **ANSWERS,
            "registration_confirmed": True,
            **extra,
        },
    )


@pytest.fixture()
def consented(kb: Engine) -> Engine:
    """The knowledge base, in which user-1 accepted the consent question in the form."""
    with Session(kb) as session, session.begin():
        accept(session, channel="rest", user="user-1", language="fr")
    return kb


async def test_registration_saved_once(consented: Engine) -> None:
    kb = consented
    messages, events = await run(ActionSubmitRegistration(), confirmed())
    assert responses(messages) == ["utter_registration_done"]
    assert messages[0]["link"] == "https://example.org/asmex/sample-dakar-b2b-mission-2026"
    assert all(v is None for k, v in slots_of(events).items())  # answers forgotten
    messages, _ = await run(ActionSubmitRegistration(), confirmed())
    assert responses(messages) == ["utter_registration_already"]
    saved = registrations(kb)
    assert len(saved) == 1
    assert (saved[0].company_name, saved[0].ice, saved[0].phone, saved[0].sector) == (
        "Atlas Export SARL",
        VALID_ICE,
        "+212612345678",
        "agrifood",
    )


async def test_registration_keeps_the_conversation_language_for_reminders(
    consented: Engine,
) -> None:
    kb = consented
    await run(ActionSubmitRegistration(), confirmed(language="ar"))
    with Session(kb) as session:
        user = session.scalars(select(User).where(User.channel_user_id == "user-1")).one()
    assert user.language_hint == "ar"


async def test_second_registration_is_stopped_at_the_event_question(consented: Engine) -> None:
    await run(ActionSubmitRegistration(), confirmed())
    said, result = await validate("event_slug", DAKAR, tracker())
    assert said == ["utter_registration_already"] and result == {"event_slug": None}


async def test_refused_summary_saves_nothing(kb: Engine) -> None:
    t = tracker(
        "non",
        intent="deny",
        slots={"event_slug": DAKAR, "consent": True, **ANSWERS, "registration_confirmed": False},
    )
    messages, _ = await run(ActionSubmitRegistration(), t)
    assert responses(messages) == ["utter_registration_cancelled"]
    assert registrations(kb) == []


async def test_submission_when_the_deadline_passed_meanwhile(
    consented: Engine, clock: Clock
) -> None:
    kb = consented
    clock.set("2026-12-01")
    messages, _ = await run(ActionSubmitRegistration(), confirmed())
    assert responses(messages) == ["utter_registration_not_possible"]
    assert registrations(kb) == []


async def test_db_down_at_submission_keeps_the_form(db_down: None) -> None:
    messages, events = await run(ActionSubmitRegistration(), confirmed())
    assert responses(messages) == ["utter_db_unavailable"]
    assert slots_of(events) == {"registration_confirmed": None}
    assert {"event": "followup", "name": "registration_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]


async def test_stop_clears_the_answers() -> None:
    messages, events = await run(ActionStopRegistration(), tracker("stop", intent="deny"))
    assert responses(messages) == ["utter_registration_stopped"]
    assert all(v is None for v in slots_of(events).values())
    assert "company_name" in slots_of(events)


@pytest.mark.parametrize("slot", FORM_SLOTS)
async def test_dont_know_explains_the_question_being_asked(slot: str) -> None:
    t = tracker("je sais pas", intent="dont_know", slots={"requested_slot": slot})
    messages, events = await run(ActionRegistrationDontKnow(), t)
    assert responses(messages) == [f"utter_dont_know_{slot}"]
    assert events == []  # the form goes on: nothing cleared, the question asked again


def test_every_question_has_its_explanation() -> None:
    """Declared for each question (the action names it with an f-string, which
    test_every_response_the_actions_use_is_declared cannot see); its fr/ar/en variations are
    checked with every other response by test_every_response_has_fr_ar_en_..."""
    responses_declared = domain_dict()["responses"]
    for slot in FORM_SLOTS:
        assert f"utter_dont_know_{slot}" in responses_declared, slot
        assert all(v["text"].strip() for v in responses_declared[f"utter_dont_know_{slot}"])


async def test_dont_know_outside_a_question_says_nothing() -> None:
    messages, events = await run(ActionRegistrationDontKnow(), tracker("jsp", intent="dont_know"))
    assert messages == [] and events == []


@pytest.mark.parametrize(
    "text", ["je sais pas", "euh je sais pas trop", "لا أعرف", "ما عرفتش", "ma3reftch", "no idea"]
)
async def test_dont_know_names_no_event(kb: Engine, text: str) -> None:
    t = tracker(
        text,
        intent="dont_know",
        slots={"requested_slot": "event_slug", "listed_events": [DAKAR, ABIDJAN]},
    )
    dispatcher = CollectingDispatcher()
    assert await ValidateRegistrationForm().extract_event_slug(dispatcher, t, DOMAIN) == {}
    assert dispatcher.messages == []


async def test_dont_know_with_an_event_named_still_picks_it(kb: Engine) -> None:
    t = tracker(
        "je sais pas, celle de Dakar peut-être",
        intent="dont_know",
        entities={"country": "SN"},
        slots={"requested_slot": "event_slug"},
    )
    result = await ValidateRegistrationForm().extract_event_slug(CollectingDispatcher(), t, DOMAIN)
    assert result == {"event_slug": DAKAR}


# --- my registrations and cancelling ---------------------------------------------------------


def register_directly(engine: Engine, slug: str, sender: str = "user-1") -> None:
    with Session(engine) as session, session.begin():
        user = get_or_create_user(session, channel="rest", channel_user_id=sender)
        create_registration(
            session, event_slug=slug, user_id=user.id, company_name="Atlas Export SARL", today=TODAY
        )


async def test_no_registrations(kb: Engine) -> None:
    messages, _ = await run(ActionListRegistrations(), tracker(intent="my_registrations"))
    assert responses(messages) == ["utter_registrations_none"]


async def test_list_registrations(kb: Engine) -> None:
    register_directly(kb, ABIDJAN)
    register_directly(kb, DAKAR)
    register_directly(kb, WEBINAR, sender="someone-else")
    messages, events = await run(
        ActionListRegistrations(), tracker(intent="my_registrations", language="ar")
    )
    assert responses(messages) == [
        "utter_registrations_found",
        "utter_registrations_item",
        "utter_registrations_item",
    ]
    assert [m["slug"] for m in messages[1:]] == [DAKAR, ABIDJAN]
    assert messages[1]["dates"] == "7 دجنبر 2026"
    assert slots_of(events)["listed_events"] == [DAKAR, ABIDJAN]


async def test_cancel_asks_which_when_several(kb: Engine) -> None:
    register_directly(kb, ABIDJAN)
    register_directly(kb, DAKAR)
    messages, events = await run(
        ActionCancelRegistrationStart(),
        tracker("annuler mon inscription", intent="cancel_registration"),
    )
    assert responses(messages) == ["utter_cancel_which"]
    assert len(messages[0]["buttons"]) == 2
    assert slots_of(events)["cancel_slug"] is None


async def test_cancel_by_ordinal_then_confirm(kb: Engine) -> None:
    register_directly(kb, ABIDJAN)
    register_directly(kb, DAKAR)
    messages, events = await run(
        ActionCancelRegistrationStart(),
        tracker(
            "annuler la deuxième",
            intent="cancel_registration",
            slots={"listed_events": [DAKAR, ABIDJAN]},
        ),
    )
    assert responses(messages) == ["utter_cancel_confirm"]
    assert slots_of(events) == {"cancel_slug": ABIDJAN}
    messages, events = await run(
        ActionCancelRegistrationConfirm(),
        tracker("oui", intent="affirm", slots={"cancel_slug": ABIDJAN}),
    )
    assert responses(messages) == ["utter_cancel_done"]
    assert slots_of(events) == {"cancel_slug": None}
    with Session(kb) as session:
        rows = session.execute(select(Event.slug, Registration.status).join(Registration.event))
        assert dict(rows.all()) == {ABIDJAN: "cancelled", DAKAR: "confirmed"}


async def test_cancel_kept(kb: Engine) -> None:
    register_directly(kb, DAKAR)
    messages, events = await run(
        ActionCancelRegistrationStart(), tracker("annuler", intent="cancel_registration")
    )
    assert slots_of(events) == {"cancel_slug": DAKAR}
    messages, events = await run(
        ActionCancelRegistrationKeep(), tracker("non", intent="deny", slots={"cancel_slug": DAKAR})
    )
    assert responses(messages) == ["utter_cancel_kept"]
    assert slots_of(events) == {"cancel_slug": None}
    assert [r.status for r in registrations(kb)] == ["confirmed"]


async def test_cancel_twice(kb: Engine) -> None:
    register_directly(kb, DAKAR)
    t = tracker("oui", intent="affirm", slots={"cancel_slug": DAKAR})
    await run(ActionCancelRegistrationConfirm(), t)
    messages, _ = await run(ActionCancelRegistrationConfirm(), t)
    assert responses(messages) == ["utter_cancel_not_found"]


async def test_registrations_db_down(db_down: None) -> None:
    messages, _ = await run(ActionListRegistrations(), tracker(intent="my_registrations"))
    assert responses(messages) == ["utter_db_unavailable"]
    messages, events = await run(
        ActionCancelRegistrationConfirm(),
        tracker("oui", intent="affirm", slots={"cancel_slug": DAKAR}),
    )
    assert responses(messages) == ["utter_db_unavailable"]
    assert slots_of(events) == {}  # kept: "oui" again retries


def test_the_form_asks_domain_ymls_required_slots_without_being_sent_the_domain() -> None:
    required = domain_dict()["forms"]["registration_form"]["required_slots"]
    assert required == list(FORM_SLOTS)
    assert ValidateRegistrationForm().domain_slots(DOMAIN) == required
    actions = domain_dict()["actions"]
    assert "validate_registration_form" in actions  # listed as a name, without send_domain
