"""action_market_profile and action_trade_agreement on the real knowledge base."""

from __future__ import annotations

import pytest

from actions.markets import ActionMarketProfile, ActionTradeAgreement, match_agreement
from kb.access import run_db
from kb.markets import get_agreement
from tests.actions.info_support import (
    assert_rendered,
    entity,
    render,
    responses,
    run,
    slot_events,
    tracker,
)

# Fixtures shared by the tests of issue #4's information actions.

pytestmark = pytest.mark.usefixtures("kb")


# --- markets ---------------------------------------------------------------------------------


async def test_kenya_profile_in_french() -> None:
    messages, events = await run(ActionMarketProfile(), tracker(entities=[entity("country", "KE")]))
    assert responses(messages) == ["utter_market_profile", "utter_market_events_sample"]
    profile, upcoming = messages
    assert profile["country_name"] == "Kenya"
    assert "EAC" in profile["blocs"] and "COMESA" in profile["blocs"]
    assert "ZLECAf" in profile["agreements"]
    assert "agroalimentaire" in profile["sectors"]
    assert "Silicon Savannah" in profile["facts"]
    assert "ASMEX annonce une mission commerciale BtoB à Nairobi" in profile["sources"]
    # Upcoming events only (the 2025 Nairobi mission is past), marked as sample data.
    assert "2027" in upcoming["events"] and upcoming["events"].rstrip().endswith("*")
    assert "Nairobi" in upcoming["events"]
    assert [b["payload"] for b in upcoming["buttons"]] == [
        '/ask_mission_details{"event_slug": "sample-nairobi-east-africa-forum-2027"}'
    ]
    assert slot_events(events) == {"awaiting_answer": None}
    texts = assert_rendered(messages, "fr")
    assert "Accords avec le Maroc" in texts[0]
    assert "Données de démonstration" in texts[1]


async def test_kenya_profile_in_arabic() -> None:
    messages, _ = await run(
        ActionMarketProfile(), tracker(entities=[entity("country", "KE")], lang="ar")
    )
    profile = messages[0]
    assert profile["country_name"] == "كينيا"
    assert "منطقة التجارة الحرة القارية الإفريقية" in profile["agreements"]
    assert "الصناعات الغذائية" in profile["sectors"]
    assert "سيليكون سافانا" in profile["facts"]
    texts = assert_rendered(messages, "ar")
    assert "الاتفاقيات مع المغرب" in texts[0] and "بيانات تجريبية" in texts[1]


async def test_english_profile_of_the_united_states_names_the_fta() -> None:
    messages, _ = await run(
        ActionMarketProfile(), tracker(entities=[entity("country", "US")], lang="en")
    )
    assert messages[0]["agreements"] == "US – Morocco Free Trade Agreement"
    assert "Morocco Free Trade Agreement" in messages[0]["sources"]
    assert "Mississippi" in messages[1]["events"]
    assert_rendered(messages, "en")


@pytest.mark.parametrize("surface", ["kenia", "Kenya", "كينيا"])
async def test_a_loose_country_name_is_resolved(surface: str) -> None:
    messages, _ = await run(ActionMarketProfile(), tracker(entities=[entity("country", surface)]))
    assert messages[0]["response"] == "utter_market_profile"
    assert messages[0]["country_name"] == "Kenya"


async def test_a_country_without_data_gets_an_honest_answer_and_an_advisor() -> None:
    messages, _ = await run(ActionMarketProfile(), tracker(entities=[entity("country", "MN")]))
    assert responses(messages) == ["utter_market_unknown"]
    assert messages[0]["country_name"] == "Mongolie"
    (text,) = assert_rendered(messages, "fr")
    (draft,) = render(messages, "fr")
    assert "/human_handoff" in [b["payload"] for b in draft["buttons"]]
    assert "ne rien inventer" in text


async def test_an_unknown_name_is_answered_honestly() -> None:
    messages, _ = await run(
        ActionMarketProfile(), tracker(entities=[entity("country", "Atlantide")], lang="en")
    )
    assert responses(messages) == ["utter_market_unknown"]
    assert messages[0]["country_name"] == "Atlantide"


async def test_no_country_asks_which_with_covered_markets() -> None:
    messages, events = await run(ActionMarketProfile(), tracker(lang="ar"))
    assert responses(messages) == ["utter_ask_market_country"]
    buttons = messages[0]["buttons"]
    assert {"title": "كينيا", "payload": '/ask_market{"country": "KE"}'} in buttons
    assert len(buttons) >= 4
    assert slot_events(events) == {"awaiting_answer": "market"}
    assert_rendered(messages, "ar")


@pytest.mark.usefixtures("db_down")
async def test_database_down_market() -> None:
    messages, events = await run(ActionMarketProfile(), tracker(entities=[entity("country", "KE")]))
    assert responses(messages) == ["utter_db_unavailable"]
    assert events == []
    assert_rendered(messages, "fr")


# --- trade agreements ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [
        ("c'est quoi la zlecaf", "fr", "ZLECAf (Zone de libre-échange continentale africaine)"),
        (
            "ما هي منطقة التجارة الحرة القارية الإفريقية؟",
            "ar",
            "منطقة التجارة الحرة القارية الإفريقية",
        ),
        ("what does the AfCFTA change?", "en", "AfCFTA (African Continental Free Trade Area)"),
        ("l'accord d'Agadir, ça couvre quels pays ?", "fr", "Accord d'Agadir"),
        ("ما هي اتفاقية أكادير", "ar", "اتفاقية أكادير"),
    ],
)
async def test_an_agreement_named_in_the_text(text: str, lang: str, name: str) -> None:
    messages, events = await run(
        ActionTradeAgreement(), tracker(intent="ask_trade_agreement", text=text, lang=lang)
    )
    assert responses(messages) == ["utter_trade_agreement_detail"]
    assert messages[0]["agreement_name"] == name
    assert messages[0]["sources"] != "—"
    assert slot_events(events) == {"awaiting_answer": None}
    assert_rendered(messages, lang)


async def test_agreement_from_a_button_entity_with_its_link() -> None:
    messages, _ = await run(
        ActionTradeAgreement(),
        tracker(
            intent="ask_trade_agreement",
            text='/ask_trade_agreement{"agreement": "eu-association"}',
            entities=[entity("agreement", "eu-association")],
        ),
    )
    assert messages[0]["agreement_name"] == "Accord d'association Maroc – Union européenne"
    assert messages[0]["links"] == "\n🔗 https://mcinet.gov.ma/ar/node/7542"


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("KE", "afcfta"),
        ("US", "us-fta"),
        ("FR", "eu-association"),
        ("TN", "agadir"),
        # sheets added for issue 21: agreements derived from blocs.yml and agreements.yml
        ("GB", "uk-association"),
        ("DE", "eu-association"),
        ("NO", "efta"),
        ("JO", "gafta"),
        ("ZA", "afcfta"),
    ],
)
async def test_agreements_for_the_country_asked(country: str, expected: str) -> None:
    messages, _ = await run(
        ActionTradeAgreement(),
        tracker(
            intent="ask_trade_agreement",
            text="accords ?",
            entities=[entity("country", country)],
        ),
    )
    assert responses(messages) == ["utter_trade_agreements_for_country"]
    agreement = await run_db(get_agreement, code=expected)
    assert agreement.name.fr in messages[0]["agreements"]
    assert_rendered(messages, "fr")


async def test_a_country_without_agreement_is_answered_honestly() -> None:
    messages, _ = await run(
        ActionTradeAgreement(),
        tracker(
            intent="ask_trade_agreement",
            text="accord avec le Brésil",
            entities=[entity("country", "BR")],
            lang="ar",
        ),
    )
    assert responses(messages) == ["utter_trade_agreements_none"]
    assert messages[0]["country_name"] == "البرازيل"
    assert_rendered(messages, "ar")


@pytest.mark.parametrize(
    "text",
    ["comment obtenir un certificat d'origine EUR.1 ?", "كيف أحصل على شهادة المنشأ EUR.1؟"],
)
async def test_rules_and_certificates_of_origin(text: str) -> None:
    messages, _ = await run(
        ActionTradeAgreement(), tracker(intent="ask_trade_agreement", text=text)
    )
    assert responses(messages) == ["utter_origin_rules"]
    assert "EUR.1" in messages[0]["procedures"]
    assert "1. " in messages[0]["procedures"]  # numbered steps
    assert "Preferential origin" in messages[0]["sources"]


async def test_origin_for_a_named_agreement_answers_both() -> None:
    messages, _ = await run(
        ActionTradeAgreement(),
        tracker(intent="ask_trade_agreement", text="règles d'origine de la ZLECAf"),
    )
    assert responses(messages) == ["utter_trade_agreement_detail", "utter_origin_rules"]


async def test_origin_button() -> None:
    messages, _ = await run(
        ActionTradeAgreement(),
        tracker(intent="ask_trade_agreement", entities=[entity("agreement", "origin")]),
    )
    assert responses(messages) == ["utter_origin_rules"]


async def test_nothing_named_asks_with_the_agreements_as_buttons() -> None:
    messages, events = await run(
        ActionTradeAgreement(), tracker(intent="ask_trade_agreement", text="accords", lang="en")
    )
    assert responses(messages) == ["utter_ask_trade_agreement"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/ask_trade_agreement{"agreement": "afcfta"}' in payloads
    assert slot_events(events) == {"awaiting_answer": "agreement"}
    (draft,) = render(messages, "en")
    # The origin button of the response comes first, its payload un-escaped by Rasa.
    assert draft["buttons"][0]["payload"] == '/ask_trade_agreement{"agreement": "origin"}'


@pytest.mark.usefixtures("db_down")
async def test_database_down_agreement() -> None:
    messages, _ = await run(ActionTradeAgreement(), tracker(intent="ask_trade_agreement"))
    assert responses(messages) == ["utter_db_unavailable"]


def test_match_agreement_tolerates_a_typo() -> None:
    from kb.views import AgreementView, Texts

    afcfta = AgreementView(
        code="afcfta",
        name=Texts("ZLECAf", "منطقة التجارة الحرة القارية الإفريقية", "AfCFTA"),
        aliases=("zlecaf", "african continental free trade area"),
        summary=Texts("", "", ""),
        countries=(),
        blocs=(),
        url=None,
        source_id=None,
    )
    assert match_agreement("the african continental free trade aera", [afcfta]) is afcfta
    assert match_agreement("bonjour", [afcfta]) is None
