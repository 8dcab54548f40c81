"""nlu.negation: negation cues in every variety and the flip of a positive intent."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.negation import NEGATED, NegationFlipper, flipped_intent, read_negation


@pytest.mark.parametrize(
    ("text", "positive", "expected"),
    [
        # French
        ("je ne veux plus les alertes", "subscribe_alerts", "unsubscribe_alerts"),
        ("je veux pas de notifications", "subscribe_alerts", "unsubscribe_alerts"),
        ("je ne veux plus participer au salon", "register_mission", "cancel_registration"),
        ("je ne veux pas m'inscrire", "register_mission", "deny"),
        ("ne m'envoyez pas mes données", "send_my_data", "deny"),
        # MSA
        ("لا أريد التنبيهات", "subscribe_alerts", "unsubscribe_alerts"),
        ("لم أعد أرغب في المشاركة في البعثة", "register_mission", "cancel_registration"),
        ("لا أريد التسجيل", "register_mission", "deny"),
        # Darija, Arabic script
        ("ما بقيتش بغيت التنبيهات", "subscribe_alerts", "unsubscribe_alerts"),
        ("مابغيتش نتسجل", "register_mission", "deny"),
        ("ما بقيتش باغي نمشي للصالون", "register_mission", "cancel_registration"),
        # Darija, Latin script (Arabizi)
        ("ma bghitch les alertes", "subscribe_alerts", "unsubscribe_alerts"),
        ("ma bghitch nsjl", "register_mission", "deny"),
        ("mab9itch baghi nchark f salon", "register_mission", "cancel_registration"),
        # English
        ("I don't want the alerts any more", "subscribe_alerts", "unsubscribe_alerts"),
        ("I don't want to register any more", "register_mission", "cancel_registration"),
        ("I do not want to sign up", "register_mission", "deny"),
    ],
)
def test_a_negated_positive_is_flipped(text: str, positive: str, expected: str) -> None:
    assert read_negation(text).negated
    assert flipped_intent(positive, read_negation(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "je veux m'inscrire à la mission de Marrakech",
        "أريد التسجيل في البعثة",
        "بغيت نتسجل فالصالون",
        "bghit nsjl f mission Kenya",
        "wach kayn chi match f salon?",
        "send me the link to register",
    ],
)
def test_a_positive_request_is_not_negated(text: str) -> None:
    negation = read_negation(text)
    assert not negation.negated
    assert flipped_intent("register_mission", negation) is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("je n'arrive pas à m'inscrire", "register_mission"),
        ("je ne reçois pas les alertes", "subscribe_alerts"),
        ("لا أستطيع التسجيل في البعثة", "register_mission"),
        ("ما وصلونيش التنبيهات", "subscribe_alerts"),
        ("ma9dertch ntsjl", "register_mission"),
        ("I can't register for the fair", "register_mission"),
        ("I'm not getting the alerts", "subscribe_alerts"),
    ],
)
def test_cannot_or_not_received_keeps_the_positive(text: str, intent: str) -> None:
    negation = read_negation(text)
    assert negation.negated and negation.inability
    assert flipped_intent(intent, negation) is None


@pytest.mark.parametrize("intent", ["unsubscribe_alerts", "cancel_registration", "ask_market"])
def test_never_flips_the_other_way_or_other_intents(intent: str) -> None:
    assert flipped_intent(intent, read_negation("je ne veux plus les alertes")) is None


def _message(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message({TEXT: text})
    entries = [{"name": n, "confidence": c} for n, c in ranking]
    message.set(INTENT, entries[0])
    message.set(INTENT_RANKING_KEY, entries)
    return message


def test_the_component_flips_the_intent_and_swaps_the_ranking() -> None:
    message = _message(
        "ma bghitch les alertes", [("subscribe_alerts", 0.7), ("unsubscribe_alerts", 0.2)]
    )
    (out,) = NegationFlipper({}).process([message])
    assert out.get(INTENT) == {"name": "unsubscribe_alerts", "confidence": 0.7}
    assert [r["name"] for r in out.get(INTENT_RANKING_KEY)] == [
        "unsubscribe_alerts",
        "subscribe_alerts",
    ]
    assert out.get(NEGATED) is True


def test_the_component_adds_a_missing_target_and_marks_plain_messages() -> None:
    flipped = _message("لا أريد التسجيل", [("register_mission", 0.8), ("ask_missions", 0.1)])
    plain = _message("bghit nsjl", [("register_mission", 0.8)])
    out, kept = NegationFlipper({}).process([flipped, plain])
    assert out.get(INTENT)["name"] == "deny"
    assert kept.get(INTENT)["name"] == "register_mission"
    assert kept.get(NEGATED) is False


def test_the_flip_can_be_switched_off() -> None:
    message = _message("I don't want the alerts", [("subscribe_alerts", 0.9)])
    (out,) = NegationFlipper({"flip": False}).process([message])
    assert out.get(INTENT)["name"] == "subscribe_alerts"
    assert out.get(NEGATED) is True
