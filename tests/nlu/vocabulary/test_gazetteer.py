"""Tests of nlu.vocabulary.gazetteer: surface forms in French, MSA, Darija, Arabizi and English."""

from __future__ import annotations

import pytest

from nlu.vocabulary.canonical import EVENT_TYPES, REGIONS, SECTORS
from nlu.vocabulary.gazetteer import ENTITIES, Match, load_gazetteer


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def hits(gazetteer, text: str) -> set[tuple[str, str]]:
    return {(m.entity, m.value) for m in gazetteer.find_all(text)}


@pytest.mark.parametrize(
    ("entity", "surface", "value"),
    [
        ("country", "Nairobi", "KE"),
        ("country", "Milan", "IT"),
        ("country", "Milano", "IT"),
        ("country", "ميلانو", "IT"),
        ("country", "Accra", "GH"),
        ("country", "أكرا", "GH"),
        ("country", "Hong Kong", "HK"),
        ("country", "hongkong", "HK"),
        ("country", "هونغ كونغ", "HK"),
        ("country", "هونج كونج", "HK"),
        ("country", "Mississippi", "US"),
        ("country", "Texas", "US"),
        ("country", "États-Unis", "US"),
        ("country", "Etats Unis", "US"),
        ("country", "لميريكان", "US"),
        ("country", "الولايات المتحدة", "US"),
        ("country", "Kenya", "KE"),
        ("country", "kenia", "KE"),
        ("country", "Keniya", "KE"),
        ("country", "Kenyaa", "KE"),  # fuzzy
        ("country", "كينيا", "KE"),
        ("country", "بكينيا", "KE"),
        ("country", "f kenya", "KE"),
        ("country", "KE", "KE"),  # already canonical
        ("country", "Chine", "CN"),
        ("country", "الشين", "CN"),
        ("country", "الصين", "CN"),
        ("country", "صين", "CN"),  # article optional in lookup
        ("country", "للصين", "CN"),
        ("country", "Canton", "CN"),
        ("country", "Dubai", "AE"),
        ("country", "دبي", "AE"),
        ("country", "Dakar", "SN"),
        ("country", "Abidjan", "CI"),
        ("country", "Lagos", "NG"),
        ("country", "Corée du Sud", "KR"),  # pycountry common name, French
        ("country", "Allemagne", "DE"),  # pycountry French catalogue
        ("country", "ألمانيا", "DE"),  # pycountry Arabic catalogue
        ("country", "Tanzanie", "TZ"),  # "Tanzanie, République unie de"
        ("region", "Agadir", "souss-massa"),
        ("region", "أكادير", "souss-massa"),
        ("region", "Tanger", "tanger-tetouan-al-hoceima"),
        ("region", "Tanja", "tanger-tetouan-al-hoceima"),
        ("region", "طنجة", "tanger-tetouan-al-hoceima"),
        ("region", "Casa", "casablanca-settat"),
        ("region", "الدار البيضاء", "casablanca-settat"),
        ("region", "Fez", "fes-meknes"),
        ("region", "Laayoune", "laayoune-sakia-el-hamra"),
        ("region", "الداخلة", "dakhla-oued-eddahab"),
        ("region", "كلميم", "guelmim-oued-noun"),
        ("region", "Ouarzazate", "draa-tafilalet"),
        ("region", "Nador", "oriental"),
        ("region", "Khouribga", "beni-mellal-khenifra"),
        ("region", "آسفي", "marrakech-safi"),
        ("region", "Kénitra", "rabat-sale-kenitra"),
        ("region", "sale", "rabat-sale-kenitra"),  # lookup-only form
        ("region", "سوس ماسة", "souss-massa"),
        ("sector", "agroalimentaire", "agrifood"),
        ("sector", "fla7a", "agrifood"),
        ("sector", "الصناعة الغذائية", "agrifood"),
        ("sector", "pêche", "fishing"),
        ("sector", "l7out", "fishing"),
        ("sector", "النسيج", "textile"),
        ("sector", "énergies renouvelables", "renewable_energy"),
        ("sector", "TIC", "ict"),
        ("sector", "numérique", "ict"),
        ("sector", "services", "services"),
        ("event_type", "mission commerciale", "mission"),
        ("event_type", "بعثة", "mission"),
        ("event_type", "فالبعثة", "mission"),
        ("event_type", "salon", "fair"),
        ("event_type", "معرض", "fair"),
        ("event_type", "منتدى", "forum"),
        ("event_type", "webinaire", "webinar"),
        ("event_type", "délégation", "delegation"),
        ("event_type", "وفد", "delegation"),
        ("language", "anglais", "en"),
        ("language", "بالعربية", "ar"),
        ("language", "l3arbiya", "ar"),
        ("language", "الدارجة", "ar"),
        ("language", "francais", "fr"),
        ("language", "fr", "fr"),
    ],
)
def test_lookup(gazetteer, entity, surface, value):
    assert gazetteer.lookup(entity, surface) == value


@pytest.mark.parametrize(
    ("entity", "surface"),
    [
        ("country", "Bali"),  # never Mali: too short for fuzzy matching
        ("country", "in"),  # lower-case code is not a country
        ("country", "merci"),
        ("country", "Agadir"),  # a Moroccan city is a region, never a country
        ("region", "Nairobi"),
        ("country", "البرتقال"),  # oranges, not Portugal (البرتغال)
        ("sector", "bonjour"),
        ("event_type", "xyz"),
        ("language", "espagnol"),
        ("country", ""),
    ],
)
def test_lookup_rejects(gazetteer, entity, surface):
    assert gazetteer.lookup(entity, surface) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bghit ninscrire f la mission dial Kenya", {("country", "KE"), ("event_type", "mission")}),
        ("بغيت نتسجل فالبعثة ديال كينيا", {("country", "KE"), ("event_type", "mission")}),
        ("wach kayn chi salon f Hong Kong had l3am?", {("country", "HK"), ("event_type", "fair")}),
        (
            "je cherche les salons agroalimentaires en Chine",
            {("country", "CN"), ("event_type", "fair"), ("sector", "agrifood")},
        ),
        ("أريد معلومات عن السوق الصينية", {("country", "CN")}),
        ("Is there a trade mission to Nairobi?", {("country", "KE"), ("event_type", "mission")}),
        ("واش كاين شي معرض فدبي", {("country", "AE"), ("event_type", "fair")}),
        ("بغيت نمشي للصين", {("country", "CN")}),
        ("l'kenya wla lmarikan", {("country", "KE"), ("country", "US")}),
        ("Je suis exportateur à Agadir", {("region", "souss-massa")}),
        ("أنا من طنجة", {("region", "tanger-tetouan-al-hoceima")}),
        ("mission au Texas et au Mississippi", {("event_type", "mission"), ("country", "US")}),
        ("الإمارات العربية المتحدة", {("country", "AE")}),  # not the language "العربية"
        ("réponds-moi en anglais", {("language", "en")}),
        ("jawbni b darija 3afak", {("language", "ar")}),
        ("des produits de la mer vers l'Espagne", {("sector", "fishing"), ("country", "ES")}),
        (
            "salon à Milan, Accra ou هونغ كونغ",
            {("event_type", "fair"), ("country", "IT"), ("country", "GH"), ("country", "HK")},
        ),
        ("USA", {("country", "US")}),
        ("Je suis à Salé", {("region", "rabat-sale-kenitra")}),
    ],
)
def test_find_all(gazetteer, text, expected):
    assert hits(gazetteer, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "merci",
        "normalisation",  # no "mali" inside words
        "un projet independant",  # no "inde"
        "romanian",  # no "oman"
        "us in it ne ci ma fr",  # short codes in lower case
        "سيول الأمطار",  # floods, not Seoul
        "دعم مالي للمصدرين",  # financial support, not Mali
        "الله يعطيك الصحة",
        "sale affaire",  # lower case: French "dirty", not Salé
        "chi mission jadida",  # "new", not El Jadida -> only the mission
        "الدول العربية",  # Arab countries, not the Arabic language
        "The fair price",
        "Je m'appelle Dominique Maurice",
        "la réunion de demain",
        "c'est en ligne ?",
        "blindé",
    ],
)
def test_find_all_negatives(gazetteer, text):
    assert hits(gazetteer, text) - {("event_type", "mission")} == set()


def test_offsets_point_into_original_text(gazetteer):
    text = "Bghit n3ref 3la l'mission dyal Nairobi w بكينيا, ou les salons à Dubaï."
    for match in gazetteer.find_all(text):
        assert isinstance(match, Match)
        assert text[match.start : match.end] == match.text
    texts = {m.text for m in gazetteer.find_all(text)}
    assert {"Nairobi", "كينيا", "salons", "Dubaï"} <= texts


def test_arabic_with_diacritics_and_tatweel(gazetteer):
    text = "أُرِيدُ الذهاب إلى كِينْيَـا"
    (match,) = gazetteer.find_all(text)
    assert match.value == "KE" and text[match.start : match.end] == match.text


def test_aliases_cover_every_canonical_value(gazetteer):
    assert set(gazetteer.aliases("sector")) == set(SECTORS)
    assert set(gazetteer.aliases("region")) == set(REGIONS)
    assert set(gazetteer.aliases("event_type")) == set(EVENT_TYPES)
    assert set(gazetteer.aliases("language")) == {"fr", "ar", "en"}
    countries = gazetteer.aliases("country")
    assert {"Kenya", "كينيا", "Nairobi"} <= set(countries["KE"])
    assert len(countries) > 240  # every pycountry country has base names


def test_region_cities(gazetteer):
    cities = gazetteer.cities("region")
    assert "Agadir" in cities["souss-massa"]
    assert "Tanger" in cities["tanger-tetouan-al-hoceima"]
    assert sum(len(c) for c in cities.values()) >= 100


def test_no_form_is_both_a_moroccan_city_and_a_country(gazetteer):
    for forms in gazetteer.aliases("region").values():
        for form in forms:
            assert gazetteer.lookup("country", form, fuzzy_threshold=101) is None, form


def test_every_entity_has_forms(gazetteer):
    counts = gazetteer.forms_count()
    assert set(counts) == set(ENTITIES)
    assert counts["country"] > 1500 and counts["region"] > 300


def test_load_is_cached():
    assert load_gazetteer() is load_gazetteer()


# --- blocs (issue 21) --------------------------------------------------------------------


def test_bloc_values_are_the_codes_of_the_knowledge_base(gazetteer):
    from pathlib import Path

    import yaml

    from nlu.vocabulary.canonical import BLOCS

    path = Path(__file__).parents[3] / "data" / "kb" / "blocs.yml"
    codes = {b["code"] for b in yaml.safe_load(path.read_text(encoding="utf-8"))["blocs"]}
    assert set(BLOCS) == codes
    assert set(gazetteer.aliases("bloc")) == codes  # every bloc has forms


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("which sectors are in demand in the EAC", "EAC"),
        ("is there demand for olive oil in COMESA", "COMESA"),
        ("شنو كاين ف السوق ديال CEDEAO", "ECOWAS"),
        ("les marchés de la Cédéao", "ECOWAS"),
        ("ECOWAS countries", "ECOWAS"),
        ("opportunités dans l'UE", "EU"),
        ("التصدير إلى الاتحاد الأوروبي", "EU"),
        ("للاتحاد الأوروبي", "EU"),
        ("the GCC market", "GCC"),
        ("le CCG", "GCC"),
        ("فرص التصدير إلى دول الخليج", "GCC"),
        ("chno kaytlbo f lkhalij", "GCC"),
        ("واش كاين طلب فالكوميسا", "COMESA"),
        ("la ZLECAf", "AFCFTA"),
        ("AfCFTA markets", "AFCFTA"),
        ("الزليكاف", "AFCFTA"),
        ("marché de l'UEMOA", "WAEMU"),
        ("la CEEAC", "ECCAS"),
        ("pays de l'AELE", "EFTA"),
        ("l'UMA", "AMU"),
        ("اتحاد المغرب العربي", "AMU"),
        ("ASEAN", "ASEAN"),
        ("دول الآسيان", "ASEAN"),
        ("le Mercosur", "MERCOSUR"),
        ("السادك", "SADC"),
        ("GAFTA", "GAFTA"),
        ("l'accord d'Agadir", "AGADIR"),
        ("IGAD", "IGAD"),
    ],
)
def test_bloc_names_in_every_variety(gazetteer, text: str, code: str) -> None:
    assert ("bloc", code) in hits(gazetteer, text)


@pytest.mark.parametrize(
    "text",
    ["il a eu du mal", "mission à Agadir", "le Golfe de Guinée a des ports", "ue"],
)
def test_common_words_and_cities_are_not_blocs(gazetteer, text: str) -> None:
    assert not {h for h in hits(gazetteer, text) if h[0] == "bloc"}


def test_bloc_lookup_maps_a_spelling_to_its_code(gazetteer) -> None:
    assert gazetteer.lookup("bloc", "Cedeao") == "ECOWAS"
    assert gazetteer.lookup("bloc", "الكوميسا") == "COMESA"
    assert gazetteer.lookup("bloc", "UEMOA") == "WAEMU"
