"""action_clarify, and checks of the domain's responses and rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from actions.fallback import ActionClarify, likely_intents, response_text
from tests.actions.info_support import (
    ROOT,
    assert_rendered,
    domain_dict,
    render,
    responses,
    run,
    tracker,
)

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.3},
    {"name": "ask_market", "confidence": 0.28},
    {"name": "inform", "confidence": 0.2},
    {"name": "ask_trade_agreement", "confidence": 0.25},
    {"name": "ask_missions", "confidence": 0.1},
    {"name": "greet", "confidence": 0.05},
    {"name": "ask_tijaria", "confidence": 0.02},
]


def test_likely_intents_are_topics_by_confidence() -> None:
    t = tracker(intent="nlu_fallback", intent_ranking=RANKING)
    assert likely_intents(t) == ["ask_market", "ask_trade_agreement", "ask_missions", "ask_tijaria"]


@pytest.mark.parametrize(
    ("lang", "titles"),
    [
        ("fr", ["Un marché étranger", "Accords commerciaux", "Missions à venir", "Tout le menu"]),
        ("ar", ["سوق خارجي", "الاتفاقيات التجارية", "البعثات القادمة", "القائمة الكاملة"]),
        ("en", ["A foreign market", "Trade agreements", "Upcoming missions", "The full menu"]),
    ],
)
async def test_clarify_offers_the_likely_topics(lang: str, titles: list[str]) -> None:
    t = tracker(intent="nlu_fallback", intent_ranking=RANKING, lang=lang)
    messages, events = await run(ActionClarify(), t, domain_dict())
    assert responses(messages) == ["utter_clarify"]
    assert [b["title"] for b in messages[0]["buttons"]] == titles
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/ask_market",
        "/ask_trade_agreement",
        "/ask_missions",
        "/help",
    ]
    assert events == []
    assert_rendered(messages, lang)


async def test_clarify_without_a_domain_still_answers() -> None:
    messages, _ = await run(ActionClarify(), tracker(intent="nlu_fallback", intent_ranking=RANKING))
    assert responses(messages) == ["utter_please_rephrase"]
    (draft,) = render(messages, "fr")
    assert draft["buttons"]


@pytest.mark.parametrize(
    "ranking",
    [
        [],
        [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "greet", "confidence": 0.1}],
        [{"name": "help", "confidence": 0.2}, {"name": "inform", "confidence": 0.1}],
    ],
)
async def test_no_likely_topic_offers_the_main_topics_not_a_lone_help_button(
    ranking: list[dict[str, object]],
) -> None:
    t = tracker(intent="nlu_fallback", intent_ranking=ranking, lang="ar")
    messages, _ = await run(ActionClarify(), t, domain_dict())
    assert responses(messages) == ["utter_clarify"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/ask_missions",
        "/ask_market",
        "/ask_tijaria",
        "/help",
    ]
    assert messages[0]["buttons"][0]["title"] == "البعثات القادمة"
    assert_rendered(messages, "ar")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "Cette liste n'a que 4 choix : tapez un numéro de 1 à 4"),
        ("ar", "عدد الاختيارات في هذه القائمة هو 4 فقط. اكتب رقما من 1 إلى 4"),
        ("en", "That list only has 4 choices: type a number from 1 to 4"),
    ],
)
async def test_a_position_beyond_the_list_is_told_how_many_choices_it_has(
    lang: str, expected: str
) -> None:
    """bot/choices.py hands "5" after a list of four as /nlu_fallback{"choice_count": "4"}."""
    t = tracker(
        intent="nlu_fallback",
        text='/nlu_fallback{"choice_count": "4"}',
        entities=[{"entity": "choice_count", "value": "4"}],
        lang=lang,
    )
    messages, events = await run(ActionClarify(), t, domain_dict())
    assert responses(messages) == ["utter_choice_beyond_list"]
    (text,) = assert_rendered(messages, lang)
    assert text.startswith(expected)
    assert events == []


@pytest.mark.parametrize("value", ["1", "0", "-3", "101", "٤", "quatre", "", None])
async def test_a_count_that_is_no_list_gets_the_clarifying_question(value: object) -> None:
    t = tracker(
        intent="nlu_fallback",
        intent_ranking=RANKING,
        entities=[{"entity": "choice_count", "value": value}],
    )
    messages, _ = await run(ActionClarify(), t, domain_dict())
    assert responses(messages) == ["utter_clarify"]


def test_response_text_picks_the_language_variation() -> None:
    domain = domain_dict()
    assert response_text(domain, "utter_topic_ask_market", "ar") == "سوق خارجي"
    assert response_text(domain, "utter_topic_ask_market", "fr") == "Un marché étranger"
    assert response_text(domain, "utter_nothing", "fr") is None


# --- the domain -------------------------------------------------------------------------


DOMAIN_FILE = ROOT / "domain.yml"
ACTION_FILES = [
    "markets.py",
    "services.py",
    "alerts.py",
    "handoff.py",
    "privacy.py",
    "my_data.py",
    "session.py",
    "fallback.py",
    "common.py",
    "registration/form.py",
    "registration/validation.py",
    "registration/my_registrations.py",
]


def domain_file() -> dict:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))


def test_every_response_has_fr_ar_en_with_the_same_placeholders() -> None:
    for name, variations in domain_file()["responses"].items():
        langs = [
            next((c["value"] for c in v.get("condition", []) if c["name"] == "language"), "fr")
            for v in variations
        ]
        assert sorted(langs) == ["ar", "en", "fr"], name
        placeholders = {frozenset(re.findall(r"{(\w+)}", v["text"])) for v in variations}
        assert len(placeholders) == 1, name
        buttons = {len(v.get("buttons") or []) for v in variations}
        assert len(buttons) == 1, name


def test_every_response_the_actions_use_is_declared() -> None:
    used = set()
    for name in ACTION_FILES:
        source = (ROOT / "actions" / name).read_text(encoding="utf-8")
        used |= set(re.findall(r'"(utter_[a-z_]+)"', source))
    used = {u for u in used if not u.endswith("_")}
    declared = set(domain_file()["responses"]) | set(domain_dict()["responses"])
    # `response` and f"{response}_no_link" / "_all" variants
    for base in ("utter_tijaria", "utter_financing", "utter_membership"):
        assert f"{base}_no_link" in declared
    for base in ("utter_alerts_subscribed", "utter_alerts_already_subscribed"):
        assert f"{base}_all" in declared
    assert used <= declared, used - declared


def test_rules_use_declared_actions_and_slots() -> None:
    rules = yaml.safe_load((ROOT / "data" / "rules" / "info.yml").read_text(encoding="utf-8"))
    domain = domain_dict()
    actions = [a if isinstance(a, str) else next(iter(a)) for a in domain["actions"]]
    names = set(actions) | set(domain["responses"]) | set(domain.get("forms") or {})
    for rule in rules["rules"]:
        for step in rule["steps"]:
            if "action" in step:
                assert step["action"] in names, step
            if "intent" in step:
                assert step["intent"] in domain["intents"], step
    assert "awaiting_answer" in domain["slots"] and "region" in domain["slots"]


def test_stories_file_parses() -> None:
    stories = yaml.safe_load(
        Path(ROOT / "tests" / "stories" / "test_info_stories.yml").read_text(encoding="utf-8")
    )
    assert len(stories["stories"]) >= 20
