"""ask_market by bloc or by sector, and a sheet without facts, on the real knowledge base."""

from __future__ import annotations

import pytest

from actions.markets import ActionMarketProfile
from kb.display import NONE
from tests.actions.info_support import (
    assert_rendered,
    entity,
    render,
    responses,
    run,
    slot_events,
    tracker,
)

pytestmark = pytest.mark.usefixtures("kb")


async def test_a_bloc_in_french_lists_its_members_sectors_and_source() -> None:
    messages, events = await run(ActionMarketProfile(), tracker(entities=[entity("bloc", "EAC")]))
    assert responses(messages) == ["utter_market_bloc"]
    (answer,) = messages
    assert answer["bloc_name"] == "Communauté d'Afrique de l'Est (EAC)"
    for name in ("Kenya", "Ouganda", "Tanzanie", "Somalie", "Rwanda"):
        assert name in answer["members"]
    assert answer["agreements"] == NONE  # Morocco has no agreement with the EAC as a whole
    assert "agroalimentaire" in answer["sectors"]  # named by the Kenya sheet's source
    assert "EAC Partner States" in answer["sources"]
    assert slot_events(events) == {"awaiting_answer": None}
    (text,) = assert_rendered(messages, "fr")
    assert "Membres dont j'ai une fiche marché" in text


async def test_a_bloc_in_english_names_its_agreement_with_morocco() -> None:
    messages, _ = await run(
        ActionMarketProfile(), tracker(entities=[entity("bloc", "EU")], lang="en")
    )
    (answer,) = messages
    assert answer["agreements"] == "EU – Morocco Association Agreement"
    assert "Germany" in answer["members"] and "Spain" in answer["members"]
    assert "EU countries" in answer["sources"]
    assert "Accord d'association" in answer["sources"]  # the agreement's source, by its title
    (text,) = assert_rendered(messages, "en")
    assert "Agreement with Morocco: EU – Morocco Association Agreement" in text


async def test_a_bloc_and_a_sector_in_arabic_gives_the_matching_markets() -> None:
    messages, _ = await run(
        ActionMarketProfile(),
        tracker(entities=[entity("bloc", "COMESA"), entity("sector", "agrifood")], lang="ar"),
    )
    assert responses(messages) == ["utter_market_bloc_sector"]
    (answer,) = messages
    assert answer["markets"] == "كينيا"
    assert answer["sector_name"] == "الصناعات الغذائية"
    (text,) = assert_rendered(messages, "ar")
    assert "الأسواق التي تذكر مصادرنا طلبا" in text


async def test_a_bloc_without_the_sector_says_so_and_offers_an_adviser() -> None:
    messages, _ = await run(
        ActionMarketProfile(),
        tracker(entities=[entity("bloc", "eac"), entity("sector", "textile")], lang="en"),
    )
    assert responses(messages) == ["utter_market_bloc_sector_none"]
    (draft,) = render(messages, "en")
    assert "None of my market sheets names demand for this sector" in draft["text"]
    assert "Kenya" in draft["text"]  # the members it does have
    assert [b["payload"] for b in draft["buttons"]] == ["/human_handoff"]


async def test_an_unknown_bloc_is_answered_honestly() -> None:
    messages, _ = await run(ActionMarketProfile(), tracker(entities=[entity("bloc", "NAFTA")]))
    assert responses(messages) == ["utter_market_bloc_unknown"]
    (text,) = assert_rendered(messages, "fr")
    assert "NAFTA" in text


@pytest.mark.parametrize(
    ("lang", "names"),
    [("fr", ["Chine", "Inde", "Corée du Sud"]), ("en", ["China", "India", "South Korea"])],
)
async def test_a_sector_alone_lists_the_markets_whose_sheets_name_demand(
    lang: str, names: list[str]
) -> None:
    messages, _ = await run(
        ActionMarketProfile(), tracker(entities=[entity("sector", "textile")], lang=lang)
    )
    assert responses(messages) == ["utter_market_sector"]
    assert messages[0]["markets"] == ", ".join(sorted(names))
    assert "Hong Kong" not in messages[0]["markets"]
    assert "HKTDC" not in messages[0]["sources"] and messages[0]["sources"] != NONE
    assert_rendered(messages, lang)


async def test_a_sector_no_sheet_names_is_not_guessed() -> None:
    messages, _ = await run(
        ActionMarketProfile(), tracker(entities=[entity("sector", "aeronautics")], lang="ar")
    )
    assert responses(messages) == ["utter_market_sector_none"]
    (text,) = assert_rendered(messages, "ar")
    assert "أفضّل ألا أخمّن" in text


async def test_a_country_with_a_sector_still_gets_the_country_sheet() -> None:
    messages, _ = await run(
        ActionMarketProfile(),
        tracker(entities=[entity("country", "KE"), entity("sector", "textile")]),
    )
    assert responses(messages)[0] == "utter_market_profile"


@pytest.mark.parametrize(
    ("lang", "name", "bloc", "agreement", "unknown"),
    [
        (
            "fr",
            "Pays-Bas",
            "Union européenne",
            "Accord d'association Maroc – Union",
            "Pas encore de chiffres",
        ),
        (
            "ar",
            "هولندا",
            "الاتحاد الأوروبي",
            "اتفاق الشراكة بين المغرب والاتحاد",
            "لا توجد بعد في قاعدة معارفي",
        ),
        (
            "en",
            "Netherlands",
            "European Union",
            "EU – Morocco Association Agreement",
            "No figures or key facts",
        ),
    ],
)
async def test_a_sheet_without_facts_gives_blocs_agreements_and_says_what_it_lacks(
    lang: str, name: str, bloc: str, agreement: str, unknown: str
) -> None:
    messages, _ = await run(
        ActionMarketProfile(), tracker(entities=[entity("country", "NL")], lang=lang)
    )
    assert responses(messages) == ["utter_market_profile", "utter_market_no_facts"]
    profile = messages[0]
    assert profile["country_name"] == name
    assert profile["blocs"] == bloc and agreement in profile["agreements"]
    assert profile["facts"] == NONE and profile["sectors"] == NONE
    assert profile["sources"] != NONE  # the bloc's and the agreement's sources
    texts = assert_rendered(messages, lang)
    assert unknown in texts[1]
    (_, draft) = render(messages, lang)
    assert [b["payload"] for b in draft["buttons"]] == ["/human_handoff"]


@pytest.mark.parametrize(
    ("country", "lang", "figure"),
    [("ES", "fr", "28,9 %"), ("DE", "en", "7.4%"), ("EG", "ar", "أول شريك تجاري إفريقي")],
)
async def test_a_partner_sheet_gives_its_sourced_trade_fact(
    country: str, lang: str, figure: str
) -> None:
    messages, _ = await run(
        ActionMarketProfile(), tracker(entities=[entity("country", country)], lang=lang)
    )
    assert "utter_market_no_facts" not in responses(messages)
    assert figure in messages[0]["facts"]
    assert "Office des changes : 63,2%" in messages[0]["sources"]
