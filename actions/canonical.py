"""Canonical values shared by the database, the NLU entities and the slots."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

SECTORS: Final = (
    "agrifood",
    "fishing",
    "textile",
    "automotive",
    "aeronautics",
    "pharma",
    "renewable_energy",
    "ict",
    "logistics",
    "tourism",
    "real_estate",
    "cinema",
    "handicraft",
    "industry",
    "services",
    "chemicals",
    "construction",
)

REGIONS: Final = (
    "tanger-tetouan-al-hoceima",
    "oriental",
    "fes-meknes",
    "rabat-sale-kenitra",
    "beni-mellal-khenifra",
    "casablanca-settat",
    "marrakech-safi",
    "draa-tafilalet",
    "souss-massa",
    "guelmim-oued-noun",
    "laayoune-sakia-el-hamra",
    "dakhla-oued-eddahab",
)

EVENT_TYPES: Final = ("mission", "fair", "forum", "webinar", "delegation")

EVENT_STATUSES: Final = ("open", "closed", "cancelled")

#: Languages replies are written in.
REPLY_LANGUAGES: Final = ("fr", "ar", "en")

#: Varieties the language identifier tells apart (ary = Moroccan Darija, either script).
VARIETIES: Final = ("fr", "ar", "ary", "en")

DEFAULT_LANGUAGE: Final = "fr"


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    import pycountry  # imported lazily: its database loads on first use

    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_country(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code (upper case)."""
    return code in _country_codes()


def is_sector(value: str) -> bool:
    """True for a canonical sector value."""
    return value in SECTORS


def is_region(value: str) -> bool:
    """True for a canonical region value."""
    return value in REGIONS


def is_event_type(value: str) -> bool:
    """True for a canonical event type."""
    return value in EVENT_TYPES


def reply_language(variety: str | None) -> str:
    """Map a detected variety to the language replies are written in.

    MSA and Darija in Arabic script get Arabic; Arabizi gets French (the caller decides
    whether a Darija message was written in Arabic script before calling this with ``ar``).
    """
    if variety in REPLY_LANGUAGES:
        return variety  # type: ignore[return-value]
    return DEFAULT_LANGUAGE
