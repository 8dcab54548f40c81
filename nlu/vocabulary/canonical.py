"""Canonical values shared by the database, the NLU entities and the slots."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final

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

#: Regional blocs and trade areas: the codes of data/kb/blocs.yml (the `bloc` entity's values).
BLOCS: Final = (
    "AFCFTA",
    "EU",
    "EFTA",
    "AGADIR",
    "GAFTA",
    "AMU",
    "GCC",
    "ECOWAS",
    "WAEMU",
    "EAC",
    "COMESA",
    "SADC",
    "ECCAS",
    "IGAD",
    "ASEAN",
    "MERCOSUR",
)

EVENT_TYPES: Final = ("mission", "fair", "forum", "webinar", "delegation")

EVENT_STATUSES: Final = ("open", "closed", "cancelled")

#: A registration's statuses: staff may put one on the waiting list, confirm or cancel it.
REGISTRATION_STATUSES: Final = ("confirmed", "waitlisted", "cancelled")

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


def language_from_detection(variety: str | None, script: str | None) -> str | None:
    """Reply language for a detected variety: Arabic script gets Arabic, Arabizi gets French."""
    if variety == "ar" or (variety == "ary" and script == "arab"):
        return "ar"
    if variety == "ary":
        return "fr"
    if variety in ("fr", "en"):
        return variety
    return None


def language_from_hint(hint: Any) -> str | None:
    """Reply language for a channel hint: Telegram's language_code ("fr", "ar-MA", "en-US")."""
    if not isinstance(hint, str) or not hint:
        return None
    base = hint.split("-")[0].split("_")[0].lower()
    return base if base in REPLY_LANGUAGES else None
