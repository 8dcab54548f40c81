"""The trained model reads questions about ASMEX (ask_asmex), past events' details and
elliptical follow-ups (follow_up) in every variety; none of these sentences is in data/nlu."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # ask_asmex
        ("qui est à la tête de l'ASMEX ?", "ask_asmex"),
        ("l'asmex a des partenariats avec qui ?", "ask_asmex"),
        ("من هو رئيس الكونفدرالية المغربية للمصدرين حاليا؟", "ask_asmex"),
        ("ما هي الشراكات التي أبرمتها ASMEX؟", "ask_asmex"),
        ("شكون اللي كيرأس asmex دابا؟", "ask_asmex"),
        ("شنو هي الوفود اللي جات عند asmex؟", "ask_asmex"),
        ("chkoun howa ra2is asmex daba?", "ask_asmex"),
        ("chno homa les partenariats dyal asmex?", "ask_asmex"),
        ("who is the head of ASMEX?", "ask_asmex"),
        ("which delegations did ASMEX host?", "ask_asmex"),
        # a past event's detail
        ("qui a mené la délégation du Mississippi ?", "ask_mission_details"),
        ("who led the delegation from Hong Kong?", "ask_mission_details"),
        # follow-ups
        ("et en Ouganda ?", "follow_up"),
        ("et pour le cuir ?", "follow_up"),
        ("و في نيجيريا؟", "follow_up"),
        ("و ف المغرب؟", "follow_up"),
        ("w f Nigeria?", "follow_up"),
        ("and in Ghana?", "follow_up"),
        ("and in May?", "follow_up"),
    ],
)
def test_parse_asmex_and_follow_ups(parse, text: str, intent: str) -> None:
    result = parse(text)
    assert result["intent"]["name"] == intent, result["intent_ranking"][:3]
