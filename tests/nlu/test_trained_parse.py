"""The trained model's parse result carries intent, canonical entities and language."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.model


def entities(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["entity"], e["value"]) for e in result["entities"]}


@pytest.mark.parametrize(
    ("text", "intent", "expected_entities", "language"),
    [
        (
            "bghit ninscrire f la mission dial Kenya",
            "register_mission",
            {("country", "KE"), ("event_type", "mission")},
            "ary",
        ),
        ("بغيت نتسجل فالبعثة ديال كينيا", "register_mission", {("country", "KE")}, "ary"),
        (
            "wach kayn chi salon f Hong Kong had l3am?",
            "ask_missions",
            {("country", "HK"), ("event_type", "fair")},
            "ary",
        ),
        (
            "Quelles sont les prochaines missions au Ghana ?",
            "ask_missions",
            {("country", "GH")},
            "fr",
        ),
        ("ما هي فرص التصدير إلى الصين؟", "ask_market", {("country", "CN")}, "ar"),
        (
            "who is the ASMEX delegate in Agadir?",
            "ask_regional_office",
            {("region", "souss-massa")},
            "en",
        ),
        (
            "le delegue asmex a tanger stp",
            "ask_regional_office",
            {("region", "tanger-tetouan-al-hoceima")},
            "fr",
        ),
    ],
)
def test_parse_result(
    parse, text: str, intent: str, expected_entities: set[tuple[str, str]], language: str
) -> None:
    result = parse(text)
    assert result["intent"]["name"] == intent
    assert expected_entities <= entities(result)
    assert result["language"] == language
    assert result["language_script"] in ("arab", "latin")


@pytest.mark.parametrize("text", ["", "🙂", "?" * 3, "a" * 20_000])
def test_odd_messages_still_parse(parse, text: str) -> None:
    result = parse(text)
    assert "intent" in result
