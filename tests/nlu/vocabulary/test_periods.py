"""period_from_text: relative and explicit periods in fr, ar, Darija (both scripts) and en."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.vocabulary.periods import period_from_text, unit_period

TODAY = date(2026, 11, 22)  # a Sunday

NEXT_MONTH = (date(2026, 12, 1), date(2026, 12, 31))
THIS_YEAR = (date(2026, 1, 1), date(2026, 12, 31))
NEXT_YEAR = (date(2027, 1, 1), date(2027, 12, 31))
THIS_QUARTER = (date(2026, 10, 1), date(2026, 12, 31))
NEXT_QUARTER = (date(2027, 1, 1), date(2027, 3, 31))
MARCH_2027 = (date(2027, 3, 1), date(2027, 3, 31))
SEPTEMBER_2027 = (date(2027, 9, 1), date(2027, 9, 30))
THREE_MONTHS = (TODAY, date(2027, 2, 22))


@pytest.mark.parametrize(
    ("variety", "text", "expected"),
    [
        # French
        ("fr", "les missions du mois prochain", NEXT_MONTH),
        ("fr", "quels salons cette année ?", THIS_YEAR),
        ("fr", "l'année prochaine", NEXT_YEAR),
        ("fr", "ce trimestre", THIS_QUARTER),
        ("fr", "le trimestre prochain", NEXT_QUARTER),
        ("fr", "des missions dans 3 mois", THREE_MONTHS),
        ("fr", "les 3 prochains mois", THREE_MONTHS),
        ("fr", "une mission en mars", MARCH_2027),
        ("fr", "salons en décembre", (date(2026, 12, 1), date(2026, 12, 31))),
        ("fr", "la mission du 15 mars 2027", (date(2027, 3, 15), date(2027, 3, 15))),
        ("fr", "les forums en 2027", NEXT_YEAR),
        ("fr", "cette semaine", (date(2026, 11, 16), date(2026, 11, 22))),
        ("fr", "la semaine prochaine", (date(2026, 11, 23), date(2026, 11, 29))),
        # Arabic
        ("ar", "البعثات في شهر مارس", MARCH_2027),
        ("ar", "المعارض في أبريل", (date(2027, 4, 1), date(2027, 4, 30))),
        ("ar", "الشهر القادم", NEXT_MONTH),
        ("ar", "هذا العام", THIS_YEAR),
        ("ar", "ما هي البعثات في السنة المقبلة", NEXT_YEAR),
        ("ar", "الربع القادم", NEXT_QUARTER),
        ("ar", "خلال 3 أشهر", THREE_MONTHS),
        ("ar", "خلال ٣ أشهر", THREE_MONTHS),
        ("ar", "في شهر شتنبر", SEPTEMBER_2027),
        # Darija, Arabic script
        ("ary_ar", "هاد العام", THIS_YEAR),
        ("ary_ar", "الشهر الجاي", NEXT_MONTH),
        ("ary_ar", "العام الجاي", NEXT_YEAR),
        ("ary_ar", "واش كاينة شي بعثة فشتنبر", SEPTEMBER_2027),
        # Darija, Latin script
        ("ary_lat", "chno kayn had l3am", THIS_YEAR),
        ("ary_lat", "missions chhar jay", NEXT_MONTH),
        ("ary_lat", "wach kayna chi mission f septembre", SEPTEMBER_2027),
        ("ary_lat", "l3am jay", NEXT_YEAR),
        # English
        ("en", "missions next quarter", NEXT_QUARTER),
        ("en", "any fairs this year?", THIS_YEAR),
        ("en", "events next month", NEXT_MONTH),
        ("en", "events in March 2027", MARCH_2027),
        ("en", "any fairs in may", (date(2027, 5, 1), date(2027, 5, 31))),
        ("en", "events in the next 6 months", (TODAY, date(2027, 5, 22))),
        ("en", "this quarter", THIS_QUARTER),
    ],
)
def test_periods(variety: str, text: str, expected: tuple[date, date]) -> None:
    assert period_from_text(text, TODAY) == expected, variety


@pytest.mark.parametrize(
    "text",
    [
        "",
        "missions au Kenya",
        "la deuxième",
        "je veux m'inscrire",
        "may I register for the Dakar mission?",
        "bghit nsjl f mission dakar",
        "السلام عليكم",
        "details dial mission Kenya",
        "the second one",
    ],
)
def test_no_period(text: str) -> None:
    assert period_from_text(text, TODAY) is None


def test_month_already_passed_this_year_is_next_year() -> None:
    assert period_from_text("en mars", date(2026, 5, 10)) == MARCH_2027
    assert period_from_text("en mai", date(2026, 5, 10)) == (date(2026, 5, 1), date(2026, 5, 31))


@pytest.mark.parametrize(
    ("unit", "offset", "expected"),
    [
        ("quarter", 0, THIS_QUARTER),
        ("quarter", 1, NEXT_QUARTER),
        ("month", 1, NEXT_MONTH),
        ("year", -1, (date(2025, 1, 1), date(2025, 12, 31))),
        ("week", 0, (date(2026, 11, 16), date(2026, 11, 22))),
    ],
)
def test_unit_period(unit: str, offset: int, expected: tuple[date, date]) -> None:
    assert unit_period(unit, offset, TODAY) == expected  # type: ignore[arg-type]
