"""Contact fields: e-mail addresses, phone numbers and ICE numbers, checked and found in text.

The ``normalize_*`` functions say what a valid value is, for the registration form and the
entity extractor alike: an e-mail address found in the text (lower-cased), a number
phonenumbers finds valid, read with region MA, in E.164, an ICE whose checksum stdnum accepts.
``find_contacts`` locates the three in a free-text message; it keeps an ICE of 15 digits
whatever its checksum (``ice_digits``), so the form hears a mistyped ICE and can say it is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from nlu.normalize import to_ascii_digits

_EMAIL: Final = (
    r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}"
)
_EMAIL_RE: Final = re.compile(_EMAIL)
# In free text an address never starts inside a run of address characters ("_a@b.ma" holds
# no address, not "a@b.ma").
_EMAIL_IN_TEXT_RE: Final = re.compile(r"(?<![\w.+-])" + _EMAIL)

_DIGIT_RE: Final = re.compile(r"\d")
_WORD_RE: Final = re.compile(r"[A-Za-z\u0600-\u06ff]{2,}")
_NON_DIGIT_RE: Final = re.compile(r"\D")
_ICE_SEPARATORS_RE: Final = re.compile(r"[\s.\-_/]")
# ICE (identifiant commun de l'entreprise): exactly 15 digits, nothing glued to them.
_ICE_RE: Final = re.compile(r"(?<![\d+])\d{15}(?!\d)")
# International (+ or 00 and a country code) or Moroccan (0[5-8] + 8 digits, or 212...) numbers,
# digits optionally grouped with spaces, dots, dashes or a "(0)".
_PHONE_RE: Final = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(0\))?(?:[ .-]?\d){6,12}"
    r"|212[ .-]?0?[5-8](?:[ .-]?\d){8}"
    r"|0[5-8](?:[ .-]?\d){8})"
    r"(?![\w])"
)
_MOROCCO_PREFIX: Final = "212"


@dataclass(frozen=True)
class Contact:
    """A contact field found in a message: ``kind`` is email, phone or ice."""

    kind: str
    value: str
    start: int
    end: int


def normalize_email(text: str | None) -> str | None:
    """The lower-cased e-mail address found in the text, or None."""
    if not text:
        return None
    match = _EMAIL_RE.search(str(text).strip())
    return match.group().lower() if match else None


def normalize_phone(text: str | None) -> str | None:
    """The number in E.164 (+212612345678), or None when it is not a valid number.

    Moroccan national numbers (06, 07, 05...) are read with region MA; +212 and 00212 too;
    other countries' numbers need their international prefix.
    """
    if not text:
        return None
    import phonenumbers  # slow import: loaded on first use

    raw = to_ascii_digits(str(text)).strip()
    if not _DIGIT_RE.search(raw) or _WORD_RE.search(raw):
        return None
    try:
        number = phonenumbers.parse(raw, "MA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_ice(text: str | None) -> str | None:
    """The 15 digits of a valid ICE (checksum checked), or None.

    Arabic-Indic digits and spaces, dots or dashes between digit groups are accepted.
    """
    if not text:
        return None
    from stdnum.ma import ice  # slow import: loaded on first use

    compact = _ICE_SEPARATORS_RE.sub("", to_ascii_digits(str(text)))
    return compact if ice.is_valid(compact) else None


def ice_digits(text: str) -> str | None:
    """The 15 digits of an ICE-shaped value, checksum unchecked (other characters dropped)."""
    digits = _NON_DIGIT_RE.sub("", to_ascii_digits(text))
    return digits if len(digits) == 15 else None


def find_contacts(text: str) -> list[Contact]:
    """E-mail addresses, ICEs and valid phone numbers in a message (an ICE wins over a phone)."""
    ascii_text = to_ascii_digits(text)  # same length: offsets stay valid
    found: list[Contact] = []
    for m in _EMAIL_IN_TEXT_RE.finditer(ascii_text):
        email = normalize_email(m.group())
        if email:
            found.append(Contact("email", email, m.start(), m.end()))
    for m in _ICE_RE.finditer(ascii_text):
        if not _overlaps(m.start(), m.end(), found):
            found.append(Contact("ice", m.group(), m.start(), m.end()))
    for m in _PHONE_RE.finditer(ascii_text):
        if _looks_like_ice(m.group()):
            continue
        phone = normalize_phone(m.group())
        if phone and not _overlaps(m.start(), m.end(), found):
            found.append(Contact("phone", phone, m.start(), m.end()))
    return found


def _looks_like_ice(digits: str) -> bool:
    """14-16 bare digits starting 00 (not 00212): an ICE with a digit too many or too few."""
    return (
        digits.isdigit()
        and digits.startswith("00")
        and not digits.startswith("00" + _MOROCCO_PREFIX)
        and len(digits) >= 14
    )


def _overlaps(start: int, end: int, found: list[Contact]) -> bool:
    return any(start < c.end and c.start < end for c in found)
