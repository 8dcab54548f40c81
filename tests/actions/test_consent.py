"""Consent before the registration form's personal data (law 09-08): asked after the event,
recorded when accepted, nothing stored when refused, not asked again for the same text."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import date
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.registration.answers import FORM_SLOTS, PERSONAL_SLOTS
from actions.registration.consent import CONSENT_TEXT_SHA256, CONSENT_VERSION, accept
from actions.registration.form import ActionSubmitRegistration
from actions.registration.validation import ValidateRegistrationForm
from kb.models import Registration, User
from tests.actions.info_support import ROOT, assert_rendered, project_domain
from tests.conftest import Clock

TODAY = date(2026, 11, 22)
DAKAR = "sample-dakar-b2b-mission-2026"
DOMAIN: dict[str, Any] = {}
ANSWERS = {
    "company_name": "شركة الأطلس للتصدير",
    "ice": "001525822000064",
    "contact_name": "سميرة العلوي",
    "email": "samira@atlas-export.ma",
    "phone": "+212612345678",
    "sector": "agrifood",
}


@pytest.fixture(autouse=True)
def _today(clock: Clock) -> None:
    clock.set(TODAY)


def tracker(
    text: str,
    *,
    intent: str,
    slots: dict[str, Any] | None = None,
    set_now: dict[str, Any] | None = None,
    language: str = "fr",
    shown: str | None = None,
    sender: str = "telegram:1001",
) -> Tracker:
    """A tracker of the registration form after a user message; ``set_now``: slots set since;
    ``shown``: the reply language before that message (``language`` by default)."""
    latest = {"intent": {"name": intent}, "entities": [], "text": text}
    events: list[dict[str, Any]] = [
        {"event": "slot", "name": "language", "value": shown or language},
        {"event": "bot", "text": "..."},
        {"event": "user", "text": text, "parse_data": latest, "input_channel": "telegram"},
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


def users(engine: Engine) -> list[User]:
    with Session(engine) as session:
        return list(session.scalars(select(User)))


def registrations(engine: Engine) -> list[Registration]:
    with Session(engine) as session:
        return list(session.scalars(select(Registration)))


# --- the question --------------------------------------------------------------------------------


def test_consent_is_asked_after_the_event_and_before_any_personal_data() -> None:
    assert FORM_SLOTS[:3] == ("event_slug", "consent", "company_name")
    assert "consent" in PERSONAL_SLOTS  # forgotten with the answers when the form ends


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ("ICE", "e-mail", "téléphone", "secteur", "ASMEX", "effacement", "mes données")),
        ("ar", ("ICE", "البريد الإلكتروني", "الهاتف", "القطاع", "ASMEX", "حذفها", "بياناتي")),
        ("en", ("ICE", "e-mail", "phone", "sector", "ASMEX", "erased", "send me my data")),
    ],
)
def test_the_question_says_what_for_whom_how_long_and_the_rights(
    lang: str, words: tuple[str, ...]
) -> None:
    [text] = assert_rendered([{"response": "utter_ask_consent"}], lang)
    for word in words:
        assert word in text, word
    [refused] = assert_rendered([{"response": "utter_consent_refused"}], lang)
    assert refused


def test_a_new_wording_of_the_question_needs_a_new_version() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    variations = domain["responses"]["utter_ask_consent"]
    text = json.dumps(variations, sort_keys=True, ensure_ascii=False).encode("utf-8")
    assert hashlib.sha256(text).hexdigest() == CONSENT_TEXT_SHA256, (
        "utter_ask_consent changed: give it a new CONSENT_VERSION and record its SHA-256 "
        "(actions/registration/consent.py), so members are asked to accept the new text"
    )
    payloads = [[b["payload"] for b in v["buttons"]] for v in variations]
    assert payloads == [["/affirm", "/deny"]] * 3


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("J'accepte", "affirm", True),
        ("نعم أوافق", "affirm", True),
        ("واخا موافق", "affirm", True),
        ("ih n9bel", "affirm", True),
        ("I agree", "affirm", True),
        ("non je refuse", "deny", False),
        ("لا أوافق", "deny", False),
        ("je sais pas", "dont_know", False),
        ("ما عرفتش", "dont_know", False),
        ("ma3reftch", "dont_know", False),
        ("no idea", "dont_know", False),
    ],
)
def test_the_answer_fills_the_consent_slot_only_at_its_question(
    text: str, intent: str, expected: bool
) -> None:
    """domain.yml's mappings, applied by Rasa itself (action_extract_slots)."""
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = project_domain()

    def extracted(requested: str) -> dict[str, Any]:
        events = [
            ActionExecuted("action_listen"),
            ActiveLoop("registration_form"),
            SlotSet("requested_slot", requested),
            UserUttered(text, {"name": intent, "confidence": 0.9}),
        ]
        t = DialogueStateTracker.from_events("x", events, slots=domain.slots)
        action = ActionExtractSlots(None)
        nlg = TemplatedNaturalLanguageGenerator(domain.responses)
        result = asyncio.run(action.run(CollectingOutputChannel(), nlg, t, domain))
        return {e.key: e.value for e in result if isinstance(e, SlotSet)}

    assert extracted("consent").get("consent") is expected
    assert "consent" not in extracted("company_name")


# --- accepted -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"), [("J'accepte", "fr"), ("نعم أوافق", "ar"), ("9belt", "fr")]
)
async def test_an_acceptance_is_recorded_and_the_form_goes_on(
    kb: Engine, text: str, lang: str
) -> None:
    t = tracker(
        text,
        intent="affirm",
        slots={"requested_slot": "consent", "event_slug": DAKAR},
        set_now={"consent": True},
        language=lang,
    )
    messages, events = await run(ValidateRegistrationForm(), t)
    assert messages == []
    assert slots_of(events) == {"consent": True}  # Rasa asks the next question (company name)
    [user] = users(kb)
    assert (user.channel, user.channel_user_id) == ("telegram", "1001")
    assert user.consent and user.consent_version == CONSENT_VERSION
    assert user.consent_language == lang
    assert user.consent_at is not None
    assert registrations(kb) == []  # nothing but the consent yet


async def test_the_language_recorded_is_the_one_the_question_was_shown_in(kb: Engine) -> None:
    """Shown in French, answered in Arabic (the reply language is now Arabic): French."""
    t = tracker(
        "نعم أوافق",
        intent="affirm",
        slots={"requested_slot": "consent", "event_slug": DAKAR},
        set_now={"consent": True, "language": "ar"},
        language="ar",
        shown="fr",
    )
    await run(ValidateRegistrationForm(), t)
    [user] = users(kb)
    assert (user.consent_version, user.consent_language) == (CONSENT_VERSION, "fr")


async def test_the_same_text_accepted_before_is_not_asked_again(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        accept(session, channel="telegram", user="1001", language="ar")
    result = await ValidateRegistrationForm().validate_event_slug(
        DAKAR, CollectingDispatcher(), tracker("/register_mission", intent="register_mission"), {}
    )
    assert result == {"event_slug": DAKAR, "consent": True}


async def test_an_older_text_accepted_before_is_asked_again(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        accept(session, channel="telegram", user="1001", language="fr")
        session.execute(update(User).values(consent_version="registration-2025-01"))
    result = await ValidateRegistrationForm().validate_event_slug(
        DAKAR, CollectingDispatcher(), tracker("/register_mission", intent="register_mission"), {}
    )
    assert result == {"event_slug": DAKAR}


async def test_another_channel_identity_has_to_consent_itself(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        accept(session, channel="whatsapp", user="1001", language="fr")
    result = await ValidateRegistrationForm().validate_event_slug(
        DAKAR, CollectingDispatcher(), tracker("/register_mission", intent="register_mission"), {}
    )
    assert result == {"event_slug": DAKAR}


async def test_acceptance_when_the_database_is_down_is_asked_again(db_down: None) -> None:
    t = tracker(
        "I agree",
        intent="affirm",
        slots={"requested_slot": "consent", "event_slug": DAKAR},
        set_now={"consent": True},
        language="en",
    )
    messages, events = await run(ValidateRegistrationForm(), t)
    assert [m["response"] for m in messages] == ["utter_db_unavailable"]
    assert slots_of(events) == {"consent": None}


# --- refused --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [("non", "deny"), ("أرفض", "deny"), ("ما عرفتش", "dont_know"), ("kanrfod", "deny")],
)
async def test_a_refusal_ends_the_form_with_nothing_stored(
    kb: Engine, text: str, intent: str
) -> None:
    t = tracker(
        text,
        intent=intent,
        slots={"requested_slot": "consent", "event_slug": DAKAR},
        set_now={"consent": False},
        language="ar",
    )
    messages, events = await run(ValidateRegistrationForm(), t)
    assert messages == []
    # No question left: the form ends, and action_submit_registration follows (a rule).
    assert slots_of(events) == {"consent": False, "requested_slot": None}
    ended = tracker(text, intent=intent, slots={"event_slug": DAKAR, "consent": False})
    messages, events = await run(ActionSubmitRegistration(), ended)
    assert [m["response"] for m in messages] == ["utter_consent_refused"]
    assert all(slots_of(events)[slot] is None for slot in PERSONAL_SLOTS)
    assert registrations(kb) == []
    assert [u.consent for u in users(kb)] in ([], [False])


async def test_a_form_without_a_refusal_keeps_every_question(kb: Engine) -> None:
    t = tracker(
        "Atlas",
        intent="inform",
        slots={"requested_slot": "company_name", "event_slug": DAKAR, "consent": True},
        set_now={"company_name": "Atlas"},
    )
    _, events = await run(ValidateRegistrationForm(), t)
    assert "requested_slot" not in slots_of(events)  # Rasa asks the next question


# --- a registration needs a recorded consent ---------------------------------------------------


async def test_no_registration_is_saved_without_a_recorded_consent(kb: Engine) -> None:
    """The conversation says yes, the database has no consent (erased meanwhile): nothing is
    saved and the form asks for the consent again, then the summary."""
    t = tracker(
        "إيه واخا",
        intent="affirm",
        slots={"event_slug": DAKAR, "consent": True, **ANSWERS, "registration_confirmed": True},
        language="ar",
    )
    messages, events = await run(ActionSubmitRegistration(), t)
    assert messages == []
    assert slots_of(events) == {"consent": None, "registration_confirmed": None}
    assert {"event": "followup", "name": "registration_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    assert registrations(kb) == []


async def test_with_a_recorded_consent_the_registration_is_saved(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        accept(session, channel="telegram", user="1001", language="ar")
    t = tracker(
        "إيه واخا",
        intent="affirm",
        slots={"event_slug": DAKAR, "consent": True, **ANSWERS, "registration_confirmed": True},
        language="ar",
    )
    messages, _ = await run(ActionSubmitRegistration(), t)
    assert [m["response"] for m in messages] == ["utter_registration_done"]
    [saved] = registrations(kb)
    assert (saved.company_name, saved.contact_name) == ("شركة الأطلس للتصدير", "سميرة العلوي")
