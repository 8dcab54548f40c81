"""How far back a follow-up looks for its question: past "oui" / "non merci" / "merci" / "je
sais pas" / a language switch, past the registration form's answers, but not past another
request, a greeting or a form filled in before."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import followup
from actions.followup import ActionFollowUp, ActionRouteInform
from actions.registration.answers import FORM_SLOTS
from tests.actions.info_support import project_domain, render

Msg = tuple[str, str, dict[str, str]]  # (text, intent, entities)
FORM = "registration_form"
#: Script markers: the registration form starts / ends here.
START, END = "form", "end of form"

DAKAR = "sample-dakar-b2b-mission-2026"
ABIDJAN = "sample-abidjan-b2b-mission-2027"
NAIROBI = "sample-nairobi-east-africa-forum-2027"
LAGOS = "sample-lagos-b2b-mission-2027"

KENYA_FR: Msg = ("missions à venir au Kenya", "ask_missions", {"country": "KE"})
TANZANIA_FR: Msg = ("et en Tanzanie ?", "follow_up", {"country": "TZ"})


def conversation(script: list[Msg | str], lang: str = "fr", **slots: Any) -> Tracker:
    """A tracker of these user messages (oldest first, the last one latest), the form active
    between START and END (or to the end)."""
    events: list[dict[str, Any]] = [{"event": "session_started"}]
    parse: dict[str, Any] = {}
    loop: str | None = None
    for step in script:
        if isinstance(step, str):
            loop = FORM if step == START else None
            events.append({"event": "active_loop", "name": loop})
            continue
        text, intent, ents = step
        parse = {
            "intent": {"name": intent},
            "entities": [{"entity": k, "value": v} for k, v in ents.items()],
            "text": text,
        }
        events += [{"event": "user", "text": text, "parse_data": parse}, {"event": "bot"}]
    events.pop()
    active = {"name": loop} if loop else {}
    return Tracker("u", {"language": lang, **slots}, parse, events, False, None, active, "")


async def answer(t: Tracker) -> tuple[list[str], dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionFollowUp().run(dispatcher, t, {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return [m["response"] for m in dispatcher.messages], slots, dispatcher.messages


# --- 1. short turns that keep the subject are passed over ------------------------------------

#: (question, short turns, follow-up, reply language, event listed, event not listed)
AFTER_A_SHORT_TURN = [
    (
        ("missions à venir au Sénégal", "ask_missions", {"country": "SN"}),
        [("non merci", "deny", {})],
        ("et en Côte d'Ivoire ?", "follow_up", {"country": "CI"}),
        "fr",
        ABIDJAN,
        DAKAR,
    ),
    (
        KENYA_FR,
        [("oui", "affirm", {}), ("merci beaucoup", "thank", {})],
        ("et au Nigeria ?", "follow_up", {"country": "NG"}),
        "fr",
        LAGOS,
        NAIROBI,
    ),
    (
        ("هل هناك بعثات قادمة إلى كينيا؟", "ask_missions", {"country": "KE"}),
        [("شكرا جزيلا", "thank", {})],
        ("و في نيجيريا؟", "follow_up", {"country": "NG"}),
        "ar",
        LAGOS,
        NAIROBI,
    ),
    (
        ("واش كاينة شي بعثة فالسنغال؟", "ask_missions", {"country": "SN"}),
        [("لا شكرا", "deny", {})],
        ("و ف كوت ديفوار؟", "follow_up", {"country": "CI"}),
        "ar",
        ABIDJAN,
        DAKAR,
    ),
    (
        ("wach kayna chi mission f kenya?", "ask_missions", {"country": "KE"}),
        [("ma3reftch", "dont_know", {}), ("wakha", "affirm", {})],
        ("w f nigeria?", "follow_up", {"country": "NG"}),
        "ar",
        LAGOS,
        NAIROBI,
    ),
    (
        ("upcoming missions in Kenya", "ask_missions", {"country": "KE"}),
        [("no thanks", "deny", {})],
        ("what about Senegal?", "follow_up", {"country": "SN"}),
        "en",
        DAKAR,
        NAIROBI,
    ),
    (
        KENYA_FR,
        [("parle-moi en arabe", "change_language", {"language": "ar"})],
        ("و في السنغال؟", "follow_up", {"country": "SN"}),
        "ar",
        DAKAR,
        NAIROBI,
    ),
]


@pytest.mark.parametrize(
    ("question", "short", "follow", "lang", "listed", "not_listed"), AFTER_A_SHORT_TURN
)
async def test_a_follow_up_after_a_short_turn_keeps_the_question(
    kb: Any, question: Msg, short: list[Msg], follow: Msg, lang: str, listed: str, not_listed: str
) -> None:
    responses, slots, messages = await answer(conversation([question, *short, follow], lang))
    assert responses[0] == "utter_missions_found", responses
    assert listed in slots["listed_events"]
    assert not_listed not in slots["listed_events"]
    shown = " ".join(m.get("slug") or "" for m in messages)
    assert not_listed not in shown


async def test_tanzania_after_no_thanks_is_about_tanzania_events(kb: Any) -> None:
    """The issue's case: "missions au Kenya", "non merci", "et en Tanzanie ?": Tanzania has no
    event; Kenya's are not listed and the alerts offered are Tanzania's."""
    t = conversation([KENYA_FR, ("non merci", "deny", {}), TANZANIA_FR])
    responses, slots, messages = await answer(t)
    assert "utter_missions_none" in responses
    assert not any(r.startswith("utter_market") for r in responses)
    assert NAIROBI not in slots["listed_events"]
    offer = next(m for m in messages if m["response"] == "utter_missions_offer_alerts")
    assert '"TZ"' in offer["alert_filters"]


async def test_a_bare_country_after_a_thank_you_follows_the_question(kb: Any) -> None:
    t = conversation(
        [
            ("missions à venir au Sénégal", "ask_missions", {"country": "SN"}),
            ("merci", "thank", {}),
            ("Côte d'Ivoire", "inform", {"country": "CI"}),
        ]
    )
    dispatcher = CollectingDispatcher()
    events = await ActionRouteInform().run(dispatcher, t, {})
    assert dispatcher.messages[0]["response"] == "utter_missions_found"
    assert ABIDJAN in next(e["value"] for e in events if e["name"] == "listed_events")


async def test_a_market_follow_up_after_no_gives_the_other_market(kb: Any) -> None:
    t = conversation(
        [
            ("chno kayn f marché dyal Kenya?", "ask_market", {"country": "KE"}),
            ("la", "deny", {}),
            ("w f Dubai?", "follow_up", {"country": "AE"}),
        ],
        "ar",
    )
    responses, _, messages = await answer(t)
    assert responses[0] in ("utter_market_profile", "utter_market_no_facts"), responses
    rendered = " ".join(r.get("text") or "" for r in render(messages, "ar"))
    assert "الإمارات" in rendered
    assert "كينيا" not in rendered


# --- ... but another request, a greeting or a form filled in before end the look-back --------


@pytest.mark.parametrize(
    "between",
    [
        [("quelles sont mes inscriptions ?", "my_registrations", {})],
        [("abonne-moi aux alertes", "subscribe_alerts", {})],
        [("بغيت نتسجل فالتنبيهات", "subscribe_alerts", {})],
        [("bonjour", "greet", {})],
        [("السلام عليكم", "greet", {})],
        [("oui", "affirm", {}), ("comment devenir membre ?", "ask_membership", {})],
        # a registration started, then stopped: the form's turns end the look-back
        [("je veux m'inscrire", "register_mission", {}), START, ("stop", "deny", {}), END],
        # a registration filled in and confirmed
        [
            ("/register_mission", "register_mission", {"event_slug": NAIROBI}),
            START,
            ("Atlas Export SARL", "inform", {}),
            ("oui", "affirm", {}),
            END,
        ],
    ],
)
async def test_another_request_ends_the_look_back(kb: Any, between: list[Msg | str]) -> None:
    responses, _, _ = await answer(conversation([KENYA_FR, *between, TANZANIA_FR]))
    assert responses == ["utter_please_rephrase"]


def test_the_look_back_is_bounded() -> None:
    short = [("oui", "affirm", {})] * followup.LOOKBACK
    assert followup.previous_question(conversation([KENYA_FR, *short, TANZANIA_FR])) is None
    found = followup.previous_question(conversation([KENYA_FR, *short[1:], TANZANIA_FR]))
    assert found is not None and found[0].intent == "ask_missions"


# --- 2. inside the registration form ---------------------------------------------------------


def in_form(question: Msg, answers: list[Msg], follow: Msg, lang: str = "fr") -> Tracker:
    """The question, a registration started from it, the form's answers, then the follow-up
    inside the form (its event already chosen)."""
    start = ("/register_mission", "register_mission", {"event_slug": DAKAR})
    return conversation([question, start, START, *answers, follow], lang, event_slug=DAKAR)


FORM_ANSWERS: list[Msg] = [
    ("J'accepte", "affirm", {}),
    ("Atlas Export SARL", "inform", {}),
    ("001525822000088", "inform", {"ice": "001525822000088"}),
]


@pytest.mark.parametrize(
    ("question", "follow", "lang", "listed", "not_listed"),
    [
        (
            ("missions à venir au Sénégal", "ask_missions", {"country": "SN"}),
            ("et en Côte d'Ivoire ?", "follow_up", {"country": "CI"}),
            "fr",
            ABIDJAN,
            DAKAR,
        ),
        (
            ("شنو هي البعثات الجاية فالسنغال؟", "ask_missions", {"country": "SN"}),
            ("و ف نيجيريا؟", "follow_up", {"country": "NG"}),
            "ar",
            LAGOS,
            DAKAR,
        ),
        (
            ("upcoming missions in Senegal", "ask_missions", {"country": "SN"}),
            ("and in Kenya?", "follow_up", {"country": "KE"}),
            "en",
            NAIROBI,
            DAKAR,
        ),
    ],
)
async def test_a_follow_up_inside_the_form_follows_the_question_before_it(
    kb: Any, question: Msg, follow: Msg, lang: str, listed: str, not_listed: str
) -> None:
    responses, slots, _ = await answer(in_form(question, FORM_ANSWERS, follow, lang))
    assert responses[0] == "utter_missions_found", responses
    assert listed in slots["listed_events"]
    assert not_listed not in slots["listed_events"]
    assert slots.keys() == {"listed_events"}  # no answer of the form changed


async def test_event_details_followed_up_inside_the_form_keep_the_form_event(kb: Any) -> None:
    """ "détails de la mission au Sénégal", register, then "et en Côte d'Ivoire ?": the Abidjan
    mission's details, and the form still registers for Dakar (event_slug not set)."""
    question = ("détails de la mission au Sénégal", "ask_mission_details", {"country": "SN"})
    follow = ("et en Côte d'Ivoire ?", "follow_up", {"country": "CI"})
    responses, slots, messages = await answer(in_form(question, FORM_ANSWERS[:1], follow))
    assert responses[0] == "utter_mission_details", responses
    assert messages[0]["slug"] == ABIDJAN
    assert "event_slug" not in slots


async def test_follow_ups_chain_inside_the_form(kb: Any) -> None:
    question = ("missions à venir au Sénégal", "ask_missions", {"country": "SN"})
    answers = [*FORM_ANSWERS[:2], ("et en Côte d'Ivoire ?", "follow_up", {"country": "CI"})]
    follow = ("et pour le textile ?", "follow_up", {"sector": "textile"})
    found = followup.previous_question(in_form(question, answers, follow))
    assert found is not None
    asked, between = found
    assert asked.intent == "ask_missions"
    assert [t.text for t in between] == ["et en Côte d'Ivoire ?"]


async def test_a_form_started_by_naming_a_mission_is_followed_up_as_a_missions_question(
    kb: Any,
) -> None:
    """ "بغيت نتسجل فالبعثة ديال كينيا" then "و ف نيجيريا؟" in the form: Nigeria's events."""
    start = ("بغيت نتسجل فالبعثة ديال كينيا", "register_mission", {"country": "KE"})
    follow = ("و ف نيجيريا؟", "follow_up", {"country": "NG"})
    t = conversation([start, START, ("أوافق", "affirm", {}), follow], "ar", event_slug=NAIROBI)
    responses, slots, _ = await answer(t)
    assert responses[0] == "utter_missions_found", responses
    assert LAGOS in slots["listed_events"]
    assert NAIROBI not in slots["listed_events"]


async def test_a_request_inside_the_form_ends_the_look_back(kb: Any) -> None:
    question = ("missions à venir au Sénégal", "ask_missions", {"country": "SN"})
    answers = [FORM_ANSWERS[0], ("mes inscriptions", "my_registrations", {})]
    follow = ("et en Côte d'Ivoire ?", "follow_up", {"country": "CI"})
    responses, _, _ = await answer(in_form(question, answers, follow))
    assert responses == ["utter_please_rephrase"]


async def test_a_form_with_nothing_asked_before_asks_to_rephrase(kb: Any) -> None:
    start = ("je veux m'inscrire", "register_mission", {})
    t = conversation([start, START, TANZANIA_FR])
    responses, _, _ = await answer(t)
    assert responses == ["utter_please_rephrase"]


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("et en Tanzanie ?", {"country": "TZ"}),
        ("et pour le textile ?", {"sector": "textile"}),
        ("و في كينيا؟", {"country": "KE"}),
        ("w f Dubai?", {"country": "AE"}),
        ("and in April?", {}),
    ],
)
@pytest.mark.parametrize("requested", [s for s in FORM_SLOTS if s != "registration_confirmed"])
def test_a_follow_up_fills_no_slot_of_the_form(
    text: str, entities: dict[str, str], requested: str
) -> None:
    """domain.yml's mappings, applied by Rasa itself (action_extract_slots): the follow-up is
    not taken as the company name, the sector or any other answer the form waits for."""
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = project_domain()
    ents = [{"entity": k, "value": v, "start": 0, "end": 1} for k, v in entities.items()]
    events = [
        ActionExecuted("action_listen"),
        ActiveLoop(FORM),
        SlotSet("requested_slot", requested),
        UserUttered(text, {"name": "follow_up", "confidence": 0.9}, ents),
    ]
    t = DialogueStateTracker.from_events("x", events, slots=domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    result = asyncio.run(ActionExtractSlots(None).run(CollectingOutputChannel(), nlg, t, domain))
    assert not {e.key for e in result if isinstance(e, SlotSet)} & set(FORM_SLOTS)
