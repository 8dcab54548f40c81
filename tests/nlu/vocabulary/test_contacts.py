"""Tests of nlu.vocabulary.contacts: what a valid contact value is, and finding them in text."""

from __future__ import annotations

import pytest

from nlu.vocabulary.contacts import (
    Contact,
    find_contacts,
    ice_digits,
    normalize_email,
    normalize_ice,
    normalize_phone,
)

VALID_ICE = "001525822000064"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0612345678", "+212612345678"),
        ("+212 (0)6 12 34 56 78", "+212612345678"),
        ("+212 0612345678", "+212612345678"),
        ("+1 305 555 0100", "+13055550100"),
        ("+44 7700 900123", None),  # a number reserved for fiction: not valid
        ("0812345678", None),  # no such Moroccan range
        ("tel 0612345678", None),  # a word around the number
        (None, None),
    ],
)
def test_normalize_phone(text: str | None, expected: str | None) -> None:
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Amina.Alaoui@Exemple.MA", "amina.alaoui@exemple.ma"),
        ("mail: a@b.ma, merci", "a@b.ma"),
        ("a@-b.ma", None),
        (None, None),
    ],
)
def test_normalize_email(text: str | None, expected: str | None) -> None:
    assert normalize_email(text) == expected


@pytest.mark.parametrize(
    ("text", "valid", "digits"),
    [
        (VALID_ICE, VALID_ICE, VALID_ICE),
        ("001 525 822 000 064", VALID_ICE, VALID_ICE),
        ("001525822000088", None, "001525822000088"),  # bad checksum: still ICE-shaped
        ("ICE 001525822000064", None, VALID_ICE),  # the form wants the number alone
        ("00152582200006", None, None),  # 14 digits
    ],
)
def test_ice_checksum_is_checked_by_normalize_ice_only(
    text: str, valid: str | None, digits: str | None
) -> None:
    assert normalize_ice(text) == valid
    assert ice_digits(text) == digits


def test_find_contacts_keeps_a_mistyped_ice_and_drops_an_invalid_phone() -> None:
    text = "ICE 001525822000088, tel 0812345678, mail a@b.ma"
    assert find_contacts(text) == [
        Contact("email", "a@b.ma", 42, 48),
        Contact("ice", "001525822000088", 4, 19),
    ]
