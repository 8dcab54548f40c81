"""The trained model on the error kinds of issue 21: blocs, registration links, negations,
short Arabizi and deadlines, out-of-scope chit-chat (phrasings not in the training data)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.model


def entities(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["entity"], e["value"]) for e in result["entities"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("which sectors are in demand in the EAC", {("bloc", "EAC")}),
        (
            "is there demand for olive oil in COMESA",
            {("bloc", "COMESA"), ("sector", "agrifood")},
        ),
        ("شنو كاين ف السوق ديال CEDEAO", {("bloc", "ECOWAS")}),
        (
            "quels débouchés pour le textile dans l'UEMOA ?",
            {("bloc", "WAEMU"), ("sector", "textile")},
        ),
        ("ما هي فرص التصدير نحو دول الخليج؟", {("bloc", "GCC")}),
        ("wach kayn chi talab f ASEAN 3la l7out", {("bloc", "ASEAN"), ("sector", "fishing")}),
    ],
)
def test_a_market_question_by_bloc_is_ask_market_with_the_bloc(parse, text, expected) -> None:
    result = parse(text)
    assert result["intent"]["name"] == "ask_market", result["intent_ranking"][:3]
    assert expected <= entities(result)


@pytest.mark.parametrize(
    "text",
    [
        "send me the link to sign up for the Kenya mission",
        "envoyez-moi le formulaire pour m'inscrire au salon",
        "3tini lien bach nsjl f salon",
        "ممكن ترسل لي رابط التسجيل في المعرض؟",
        "صيفطو ليا الفورمولير ديال التسجيل",
    ],
)
def test_asking_for_the_registration_link_is_register_mission(parse, text) -> None:
    assert parse(text)["intent"]["name"] == "register_mission"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("je ne veux plus recevoir les alertes", "unsubscribe_alerts"),
        ("ما بقيتش باغي هاد التنبيهات ديالكم", "unsubscribe_alerts"),
        ("لا أريد أن أتلقى التنبيهات", "unsubscribe_alerts"),
        ("ma bghitch les notifications", "unsubscribe_alerts"),
        ("I don't want these alerts anymore", "unsubscribe_alerts"),
        ("I don't want to take part in the Kenya mission any more", "cancel_registration"),
        ("je ne veux plus aller à la mission", "cancel_registration"),
        ("ma bghitch ntsjl f had salon", "deny"),
        ("لا أرغب في التسجيل في هذه البعثة", "deny"),
    ],
)
def test_negations_are_not_read_as_the_positive(parse, text, intent) -> None:
    result = parse(text)
    assert result["intent"]["name"] == intent, result["intent_ranking"][:3]
    assert result["negated"] is True


@pytest.mark.parametrize(
    "text",
    ["mta akhir ajal dl inscription", "imta ysali tsjil f forum", "deadline dyal mission Kenya"],
)
def test_deadline_questions_in_arabizi_ask_for_the_event_details(parse, text) -> None:
    assert parse(text)["intent"]["name"] == "ask_mission_details"


@pytest.mark.parametrize(
    "text",
    [
        "il fait beau à Rabat aujourd'hui ?",
        "شكون ربح الماتش ديال البارح؟",
        "9olli chi nokta",
        "what's your favourite food?",
        "كيف أحضر الكسكس؟",
    ],
)
def test_chit_chat_is_out_of_scope(parse, text) -> None:
    assert parse(text)["intent"]["name"] == "out_of_scope"
