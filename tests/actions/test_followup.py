"""action_route_inform sends a bare answer to the question the assistant asked."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import followup
from actions.followup import ActionFollowUp, ActionRouteInform
from tests.actions.info_support import render


def tracker(awaiting: str | None) -> Tracker:
    latest = {"intent": {"name": "inform"}, "entities": [], "text": "Agadir"}
    events = [{"event": "user", "text": "Agadir", "parse_data": latest}]
    return Tracker("u", {"awaiting_answer": awaiting}, latest, events, False, None, {}, "")


@pytest.mark.parametrize("awaiting", ["market", "agreement", "region"])
async def test_routes_to_the_action_that_asked(
    monkeypatch: pytest.MonkeyPatch, awaiting: str
) -> None:
    called: list[str] = []
    original = followup.ROUTES[awaiting]

    async def fake_run(self: Any, dispatcher: Any, tracker: Any, domain: Any) -> list:
        called.append(self.name())
        return []

    monkeypatch.setattr(original, "run", fake_run)
    await ActionRouteInform().run(CollectingDispatcher(), tracker(awaiting), {})
    assert called == [original().name()]


async def test_nothing_asked_means_please_rephrase() -> None:
    dispatcher = CollectingDispatcher()
    assert await ActionRouteInform().run(dispatcher, tracker(None), {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_please_rephrase"]


# --- follow-ups: the last question repeated with the entity the follow-up names ------------

Msg = tuple[str, str, dict[str, str]]  # (text, intent, entities)


def conversation(messages: list[Msg], lang: str = "fr", **slots: Any) -> Tracker:
    """A tracker of these user messages (oldest first), the last one latest."""
    events: list[dict[str, Any]] = [{"event": "session_started"}]
    parse: dict[str, Any] = {}
    for text, intent, ents in messages:
        parse = {
            "intent": {"name": intent},
            "entities": [{"entity": k, "value": v} for k, v in ents.items()],
            "text": text,
        }
        events.append({"event": "user", "text": text, "parse_data": parse})
        events.append({"event": "bot", "text": "..."})
    events.pop()
    return Tracker("u", {"language": lang, **slots}, parse, events, False, None, {}, "")


async def answer(action: Action, t: Tracker) -> tuple[list[str], dict[str, Any], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return [m["response"] for m in dispatcher.messages], slots, dispatcher.messages


ABIDJAN = "sample-abidjan-b2b-mission-2027"
NAIROBI_FORUM = "sample-nairobi-east-africa-forum-2027"
HONG_KONG_FAIR = "sample-hong-kong-food-fair-2027"
LAGOS = "sample-lagos-b2b-mission-2027"

#: (question, follow-up, reply language, event listed): the follow-up's events, not a market.
EVENT_FOLLOW_UPS = [
    (
        ("missions à venir au Sénégal", "ask_missions", {"country": "SN"}),
        ("et en Côte d'Ivoire ?", "follow_up", {"country": "CI"}),
        "fr",
        ABIDJAN,
    ),
    (
        ("هل هناك بعثات قادمة إلى السنغال؟", "ask_missions", {"country": "SN"}),
        ("و في كينيا؟", "follow_up", {"country": "KE"}),
        "ar",
        NAIROBI_FORUM,
    ),
    (
        ("واش كاينة شي بعثة فالسنغال؟", "ask_missions", {"country": "SN"}),
        ("و ف كوت ديفوار؟", "follow_up", {"country": "CI"}),
        "ar",
        ABIDJAN,
    ),
    (
        ("wach kayna chi mission f senegal?", "ask_missions", {"country": "SN"}),
        ("w f Kenya?", "follow_up", {"country": "KE"}),
        "ar",
        NAIROBI_FORUM,
    ),
    (
        ("upcoming fairs", "ask_missions", {"event_type": "fair"}),
        ("and in April?", "follow_up", {}),
        "en",
        HONG_KONG_FAIR,
    ),
    (
        ("les prochaines missions en Afrique", "ask_missions", {}),
        ("et pour le textile ?", "follow_up", {"sector": "textile"}),
        "fr",
        LAGOS,
    ),
]


@pytest.mark.parametrize(("question", "follow", "lang", "slug"), EVENT_FOLLOW_UPS)
async def test_a_follow_up_keeps_the_question_and_changes_its_entity(
    kb: Any, question: Msg, follow: Msg, lang: str, slug: str
) -> None:
    responses, slots, _ = await answer(ActionFollowUp(), conversation([question, follow], lang))
    assert responses[0] == "utter_missions_found", responses
    assert not any(r.startswith("utter_market") for r in responses)
    assert slug in slots["listed_events"]


async def test_the_follow_up_entity_replaces_the_question_one(kb: Any) -> None:
    """After "missions upcoming in Kenya", "et en Tanzanie ?" is about Tanzania's events
    (none): not Kenya's, and not Tanzania's market sheet."""
    t = conversation(
        [
            ("missions à venir au Kenya", "ask_missions", {"country": "KE"}),
            ("et en Tanzanie ?", "follow_up", {"country": "TZ"}),
        ]
    )
    responses, slots, messages = await answer(ActionFollowUp(), t)
    assert "utter_missions_none" in responses
    assert NAIROBI_FORUM not in slots["listed_events"]
    offer = next(m for m in messages if m["response"] == "utter_missions_offer_alerts")
    assert '"TZ"' in offer["alert_filters"]


async def test_a_chain_of_follow_ups_keeps_the_first_question(kb: Any) -> None:
    t = conversation(
        [
            ("missions à venir au Kenya", "ask_missions", {"country": "KE"}),
            ("et en Tanzanie ?", "follow_up", {"country": "TZ"}),
            ("et au Sénégal ?", "follow_up", {"country": "SN"}),
        ]
    )
    responses, slots, _ = await answer(ActionFollowUp(), t)
    assert responses[0] == "utter_missions_found"
    assert slots["listed_events"][0] == "sample-dakar-b2b-mission-2026"


@pytest.mark.parametrize(
    ("question", "follow", "lang", "name"),
    [
        (
            ("le marché du Kenya", "ask_market", {"country": "KE"}),
            ("et en Tanzanie ?", "follow_up", {"country": "TZ"}),
            "fr",
            "Tanzanie",
        ),
        (
            ("chno kayn f marché dyal Kenya?", "ask_market", {"country": "KE"}),
            ("w f Dubai?", "follow_up", {"country": "AE"}),
            "ar",
            "الإمارات",
        ),
        (
            ("tell me about the Kenyan market", "ask_market", {"country": "KE"}),
            ("what about Egypt?", "follow_up", {"country": "EG"}),
            "en",
            "Egypt",
        ),
    ],
)
async def test_a_market_follow_up_gives_the_other_market(
    kb: Any, question: Msg, follow: Msg, lang: str, name: str
) -> None:
    responses, _, messages = await answer(ActionFollowUp(), conversation([question, follow], lang))
    assert responses[0] in ("utter_market_profile", "utter_market_no_facts"), responses
    rendered = " ".join(r.get("text") or "" for r in render(messages, lang))
    assert name in rendered


async def test_an_asmex_follow_up_answers_the_new_detail(kb: Any) -> None:
    t = conversation(
        [
            ("qui est le président de l'ASMEX ?", "ask_asmex", {}),
            ("et le directeur général ?", "follow_up", {}),
        ]
    )
    _, _, messages = await answer(ActionFollowUp(), t)
    assert "directeur général" in messages[0]["fact"]


async def test_a_bare_answer_with_nothing_asked_follows_the_last_question(kb: Any) -> None:
    t = conversation(
        [
            ("missions à venir au Sénégal", "ask_missions", {"country": "SN"}),
            ("Côte d'Ivoire", "inform", {"country": "CI"}),
        ]
    )
    responses, slots, _ = await answer(ActionRouteInform(), t)
    assert responses[0] == "utter_missions_found"
    assert ABIDJAN in slots["listed_events"]


@pytest.mark.parametrize(
    "before",
    [
        [],
        [("bonjour", "greet", {})],
    ],
)
async def test_a_follow_up_with_no_question_before_asks_to_rephrase(
    kb: Any, before: list[Msg]
) -> None:
    t = conversation([*before, ("et en Tanzanie ?", "follow_up", {"country": "TZ"})])
    responses, _, _ = await answer(ActionFollowUp(), t)
    assert responses == ["utter_please_rephrase"]


async def test_a_follow_up_after_a_question_asked_by_the_bot_goes_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    called: list[str] = []

    async def fake_run(self: Any, dispatcher: Any, tracker: Any, domain: Any) -> list:
        called.append(tracker.latest_message["text"])
        return []

    monkeypatch.setattr(followup.ROUTES["market"], "run", fake_run)
    t = conversation([("et le Kenya ?", "follow_up", {"country": "KE"})], awaiting_answer="market")
    await ActionFollowUp().run(CollectingDispatcher(), t, {})
    assert called == ["et le Kenya ?"]


def test_merged_message_keeps_area_and_period_unless_replaced(clock: Any) -> None:
    from datetime import date

    clock.set(date(2026, 11, 22))
    question = followup.Turn("ask_missions", "missions en Afrique en avril", {"sector": "agrifood"})
    merged = followup.merged_message(
        question, [followup.Turn("follow_up", "et le textile ?", {"sector": "textile"})]
    )
    assert merged["text"] == "missions en Afrique en avril"
    assert merged["entities"] == [{"entity": "sector", "value": "textile"}]
    to_kenya = followup.merged_message(
        question, [followup.Turn("follow_up", "et au Kenya", {"country": "KE"})]
    )
    assert to_kenya["text"] == "missions en Afrique en avril"  # the period stays
    assert {"entity": "country", "value": "KE"} in to_kenya["entities"]
