"""World regions named in a request ("salons en Europe", "missions f afri9ya", "في الخليج",
"in Latin America") and the countries they hold (ISO 3166 alpha-2).

NLU knows countries only: it read "Europe" as nothing (every fair was listed, Hong Kong's too)
and "Latin America" as the United States. Regions follow the UN M49 geoscheme, with the
groupings exporters use beside it (Maghreb, the Gulf, the European Union, ECOWAS). Like
periods, they are read from the text by the actions, not annotated as entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from nlu.normalize import normalize_text


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NORTH_AFRICA: Final = _codes("DZ EG LY MA SD TN")
_MAGHREB: Final = _codes("DZ LY MA MR TN")
_WEST_AFRICA: Final = _codes("BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG")
_EAST_AFRICA: Final = _codes("BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS TZ UG ZM ZW")
_CENTRAL_AFRICA: Final = _codes("AO CM CF TD CG CD GQ GA ST")
_SOUTHERN_AFRICA: Final = _codes("BW SZ LS NA ZA")
_SUB_SAHARAN: Final = _WEST_AFRICA | _EAST_AFRICA | _CENTRAL_AFRICA | _SOUTHERN_AFRICA
_AFRICA: Final = _NORTH_AFRICA | _SUB_SAHARAN
_EU: Final = _codes(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
)
_EUROPE: Final = _EU | _codes(
    "AL AD BA BY CH FO GB GG GI IM IS JE LI MC MD ME MK NO RS RU SM SJ UA VA XK AX"
)
_GULF: Final = _codes("AE BH KW OM QA SA")
_MIDDLE_EAST: Final = _GULF | _codes("EG IL IQ IR JO LB PS SY TR YE")
_ASIA: Final = _GULF | _codes(
    "AF AM AZ BD BN BT CN CY GE HK ID IL IN IQ IR JO JP KG KH KP KR KZ LA LB LK MM MN MO MV "
    "MY NP PH PK PS SG SY TH TJ TL TM TR TW UZ VN YE"
)
_NORTH_AMERICA: Final = _codes("BM CA GL MX PM US")
_LATIN_AMERICA: Final = _codes(
    "AR BO BR CL CO EC FK GF GY PY PE SR UY VE BZ CR SV GT HN MX NI PA "
    "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI"
)
_OCEANIA: Final = _codes("AU NZ FJ PG SB VU NC PF WS TO KI FM MH NR PW TV")


@dataclass(frozen=True)
class Area:
    """A world region: its code and the countries it holds."""

    code: str
    countries: frozenset[str]


#: Each region and how people name it (fr, en, ar, Darija in both scripts), longest first at
#: matching time. ``None``: a country named like a region ("Afrique du Sud"), left to NLU.
_NAMES: Final[dict[str | None, tuple[str, ...]]] = {
    None: ("afrique du sud", "south africa", "جنوب أفريقيا", "جنوب إفريقيا", "janoub afri9ya"),
    "west_africa": (
        "afrique de l'ouest",
        "afrique occidentale",
        "cedeao",
        "west africa",
        "western africa",
        "ecowas",
        "غرب أفريقيا",
        "غرب إفريقيا",
        "أفريقيا الغربية",
        "gharb afri9ya",
        "gharb afriqya",
    ),
    "east_africa": (
        "afrique de l'est",
        "afrique orientale",
        "east africa",
        "eastern africa",
        "شرق أفريقيا",
        "شرق إفريقيا",
        "أفريقيا الشرقية",
        "char9 afri9ya",
        "chark afriqya",
    ),
    "central_africa": (
        "afrique centrale",
        "central africa",
        "وسط أفريقيا",
        "وسط إفريقيا",
        "أفريقيا الوسطى",
    ),
    "southern_africa": ("afrique australe", "southern africa", "أفريقيا الجنوبية"),
    "north_africa": (
        "afrique du nord",
        "north africa",
        "northern africa",
        "شمال أفريقيا",
        "شمال إفريقيا",
        "chamal afri9ya",
    ),
    "maghreb": ("maghreb", "المغرب العربي", "المغرب الكبير"),
    "sub_saharan_africa": (
        "afrique subsaharienne",
        "afrique sub-saharienne",
        "afrique sub saharienne",
        "sub-saharan africa",
        "subsaharan africa",
        "أفريقيا جنوب الصحراء",
        "إفريقيا جنوب الصحراء",
    ),
    "africa": (
        "afrique",
        "africa",
        "أفريقيا",
        "إفريقيا",
        "افريقية",
        "afri9ya",
        "afriqya",
        "ifri9ya",
        "ifriqya",
        "lafrique",
    ),
    "eu": ("union européenne", "european union", "الاتحاد الأوروبي"),
    "europe": ("europe", "europa", "orouba", "oroba", "أوروبا", "أوربا"),
    "gulf": ("pays du golfe", "golfe", "gulf", "gcc", "الخليج", "lkhalij", "khalij"),
    "middle_east": (
        "moyen-orient",
        "moyen orient",
        "middle east",
        "الشرق الأوسط",
        "charq lawsat",
        "chark lawsat",
    ),
    "asia": ("asie", "asia", "آسيا", "asya"),
    "north_america": ("amérique du nord", "north america", "أمريكا الشمالية"),
    "latin_america": (
        "amérique latine",
        "amérique du sud",
        "amérique centrale",
        "latin america",
        "south america",
        "central america",
        "أمريكا اللاتينية",
        "أمريكا الجنوبية",
    ),
    "americas": ("amériques", "the americas", "الأمريكتين"),
    "oceania": ("océanie", "oceania", "أوقيانوسيا"),
}
AREAS: Final[dict[str, Area]] = {
    code: Area(code, countries)
    for code, countries in {
        "west_africa": _WEST_AFRICA,
        "east_africa": _EAST_AFRICA,
        "central_africa": _CENTRAL_AFRICA,
        "southern_africa": _SOUTHERN_AFRICA,
        "north_africa": _NORTH_AFRICA,
        "maghreb": _MAGHREB,
        "sub_saharan_africa": _SUB_SAHARAN,
        "africa": _AFRICA,
        "eu": _EU,
        "europe": _EUROPE,
        "gulf": _GULF,
        "middle_east": _MIDDLE_EAST,
        "asia": _ASIA,
        "north_america": _NORTH_AMERICA,
        "latin_america": _LATIN_AMERICA,
        "americas": _NORTH_AMERICA | _LATIN_AMERICA,
        "oceania": _OCEANIA,
    }.items()
}

_PHRASES: Final = {normalize_text(name): code for code, names in _NAMES.items() for name in names}
# Arabic proclitics (و ف ب ل) may stick to the name: "فأوروبا", "لأفريقيا".
_AREA_RE: Final = re.compile(
    r"(?<![\w])(?:[وفبل]{1,2}(?=[\u0600-\u06ff]))?("
    + "|".join(re.escape(p) for p in sorted(_PHRASES, key=len, reverse=True))
    + r")(?![\w])"
)


def area_in_text(text: str | None) -> tuple[Area, str] | None:
    """The first world region the text names, with the (normalized) words naming it."""
    for match in _AREA_RE.finditer(normalize_text(text or "")):
        code = _PHRASES[match.group(1)]
        return (AREAS[code], match.group(1)) if code else None
    return None


def read_inside_area(text: str | None, entity: dict[str, Any]) -> bool:
    """NLU read ``entity`` inside the name of the region the text names ("America" in "Latin
    America" -> US): the region is meant, not the entity."""
    found = area_in_text(text)
    start, end = entity.get("start"), entity.get("end")
    if found is None or not isinstance(start, int) or not isinstance(end, int):
        return False
    said = normalize_text((text or "")[start:end])
    return bool(said) and said in found[1]


def request_area(text: str | None, country: str | None) -> Area | None:
    """The world region a request is about; None when it names a country ("le Sénégal en
    Afrique de l'Ouest" is about Senegal)."""
    found = None if country else area_in_text(text)
    return found[0] if found else None
