"""Tests for nlu.normalize."""

from __future__ import annotations

import pytest

from nlu.normalize import (
    arabizi_words,
    collapse_repeats,
    has_arabizi,
    is_arabic_script,
    normalize_arabic,
    normalize_latin,
    normalize_text,
    script_of,
    to_ascii_digits,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحمد", "احمد"),
        ("إلى", "الي"),
        ("آخر", "اخر"),
        ("ٱلله", "الله"),
        ("مستشفى", "مستشفي"),
        ("البعثة", "البعثه"),
        ("مسؤول", "مسوول"),
        ("الطائرة", "الطايره"),
        ("إِنَّنِي أَبْحَثُ عَنْ مَعْرِضٍ", "انني ابحث عن معرض"),
        ("الـــسلام", "السلام"),
        ("هٰذا", "هذا"),
        ("کینیا", "كينيا"),
        ("بغيت نتسجل فالبعثة ديال كينيا", "بغيت نتسجل فالبعثه ديال كينيا"),
        ("", ""),
        ("bonjour", "bonjour"),
    ],
)
def test_normalize_arabic(raw: str, expected: str) -> None:
    assert normalize_arabic(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("٢٠٢٥", "2025"),
        ("۱۴۰۳", "1403"),
        ("الموعد ١٥/١١", "الموعد 15/11"),
        ("+٢١٢ ٦١٢", "+212 612"),
        ("2025", "2025"),
        ("", ""),
    ],
)
def test_to_ascii_digits(raw: str, expected: str) -> None:
    assert to_ascii_digits(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Évènement à Paris", "evenement a paris"),
        ("Ça va", "ca va"),
        ("MERCIIIII", "mercii"),
        ("bzaaaaaf", "bzaaf"),
        ("had l3am", "had l3am"),
        ("7na m3a", "7na m3a"),
        ("Œuvre", "oeuvre"),
        ("j’ai", "j'ai"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_normalize_latin(raw: str, expected: str) -> None:
    assert normalize_latin(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Bonjour   STP  ", "bonjour stp"),
        ("wach kayn chi salon f Hong Kong had l3am?", "wach kayn chi salon f hong kong had l3am?"),
        ("بغيييت الـمعرض ٢٠٢٥", "بغييت المعرض 2025"),
        ("bghit nsjl f البعثة", "bghit nsjl f البعثه"),
        ("😀🇲🇦", "😀🇲🇦"),
        ("   \t\n ", ""),
        ("", ""),
        ("ـــ", ""),
        ("ًٌٍ", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_collapse_repeats_keeps_digits() -> None:
    assert collapse_repeats("2000 wooow") == "2000 woow"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("bonjour", "latin"),
        ("bjr", "latin"),
        ("مرحبا", "arab"),
        ("شكرا بزاف", "arab"),
        ("l3am", "latin"),
        ("bghit nsjl f البعثة", "mixed"),
        ("بغيت نمشي ل Hong Kong", "mixed"),
        ("بغيت نمشي لكينيا ok", "arab"),
        ("😀😀", "none"),
        ("2025", "none"),
        ("", "none"),
        ("   ", "none"),
    ],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text) == script


def test_is_arabic_script() -> None:
    assert is_arabic_script("واش كاين")
    assert not is_arabic_script("wach kayn")
    assert not is_arabic_script("")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("had l3am", True),
        ("7na m3a l'export", True),
        ("3afak", True),
        ("sa7bi", True),
        ("wach n9der", True),
        ("B2B a Paris le 2eme jour", False),
        ("la 5G et covid19 en 2025", False),
        ("cop22 a380 mp3 x2", False),
        ("rdv a 3h pour 2kg", False),
        ("bonjour", False),
        ("", False),
        ("😀", False),
    ],
)
def test_has_arabizi(text: str, expected: bool) -> None:
    assert has_arabizi(text) is expected


def test_arabizi_words() -> None:
    assert arabizi_words("wach kayn chi salon had L3AM m3a 7na") == ["l3am", "m3a", "7na"]


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\t", "😀" * 50, "a" * 100_000, "بزاف " * 20_000, "l3am " * 20_000],
)
def test_functions_are_safe_on_edge_inputs(text: str) -> None:
    for fn in (normalize_text, normalize_arabic, normalize_latin, to_ascii_digits):
        assert isinstance(fn(text), str)
    assert script_of(text) in {"arab", "latin", "mixed", "none"}
    assert isinstance(has_arabizi(text), bool)
