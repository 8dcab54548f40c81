"""Values and lists shown inside replies, in the reply language.

Sentences live in domain.yml (and, for what a channel or a notification says by itself, in
their own text tables); these helpers only render what fills their placeholders: single values
("15 mars 2027", "Sénégal", "agroalimentaire, BTP", "15 000 MAD") and lists of knowledge-base
views (bulleted events, numbered procedure steps, source titles, button payloads).
"""

from __future__ import annotations

import gettext
import json
import re
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Final

from kb.views import EventView, ProcedureView
from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES

MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    # Month names as written in Morocco (as in the knowledge base's Arabic texts).
    "ar": (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "ماي",
        "يونيو",
        "يوليوز",
        "غشت",
        "شتنبر",
        "أكتوبر",
        "نونبر",
        "دجنبر",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

SECTORS: Final[dict[str, dict[str, str]]] = {
    "agrifood": {"fr": "agroalimentaire", "ar": "الصناعات الغذائية", "en": "agrifood"},
    "fishing": {"fr": "pêche", "ar": "الصيد البحري", "en": "fishing"},
    "textile": {"fr": "textile", "ar": "النسيج", "en": "textile"},
    "automotive": {"fr": "automobile", "ar": "السيارات", "en": "automotive"},
    "aeronautics": {"fr": "aéronautique", "ar": "الطيران", "en": "aeronautics"},
    "pharma": {"fr": "pharmacie", "ar": "الصناعة الدوائية", "en": "pharmaceuticals"},
    "renewable_energy": {
        "fr": "énergies renouvelables",
        "ar": "الطاقات المتجددة",
        "en": "renewable energy",
    },
    "ict": {"fr": "TIC", "ar": "تكنولوجيا المعلومات والاتصال", "en": "ICT"},
    "logistics": {"fr": "logistique", "ar": "اللوجستيك", "en": "logistics"},
    "tourism": {"fr": "tourisme", "ar": "السياحة", "en": "tourism"},
    "real_estate": {"fr": "immobilier", "ar": "العقار", "en": "real estate"},
    "cinema": {"fr": "cinéma", "ar": "السينما", "en": "cinema"},
    "handicraft": {"fr": "artisanat", "ar": "الصناعة التقليدية", "en": "handicraft"},
    "industry": {"fr": "industrie", "ar": "الصناعة", "en": "industry"},
    "services": {"fr": "services", "ar": "الخدمات", "en": "services"},
    "chemicals": {"fr": "chimie", "ar": "الكيمياء", "en": "chemicals"},
    "construction": {"fr": "BTP", "ar": "البناء والأشغال العمومية", "en": "construction"},
}

EVENT_TYPES: Final[dict[str, dict[str, str]]] = {
    "mission": {"fr": "mission", "ar": "بعثة", "en": "mission"},
    "fair": {"fr": "salon", "ar": "معرض", "en": "fair"},
    "forum": {"fr": "forum", "ar": "منتدى", "en": "forum"},
    "webinar": {"fr": "webinaire", "ar": "ندوة عبر الإنترنت", "en": "webinar"},
    "delegation": {"fr": "délégation", "ar": "وفد", "en": "delegation"},
}

#: Values standing for a missing or special value.
LABELS: Final[dict[str, dict[str, str]]] = {
    "unknown": {"fr": "non communiqué", "ar": "غير محدد", "en": "not specified"},
    "free": {"fr": "gratuit", "ar": "مجاني", "en": "free"},
    "online": {"fr": "en ligne", "ar": "عبر الإنترنت", "en": "online"},
    "all_sectors": {"fr": "tous secteurs", "ar": "جميع القطاعات", "en": "all sectors"},
    # Values of the "send me my data" report: languages by code, statuses, where a request went.
    "fr": {"fr": "français", "ar": "الفرنسية", "en": "French"},
    "ar": {"fr": "arabe", "ar": "العربية", "en": "Arabic"},
    "en": {"fr": "anglais", "ar": "الإنجليزية", "en": "English"},
    "detected": {
        "fr": "détectée à chaque message",
        "ar": "تُحدد تلقائيا مع كل رسالة",
        "en": "detected on each message",
    },
    "confirmed": {"fr": "confirmée", "ar": "مؤكد", "en": "confirmed"},
    "cancelled": {"fr": "annulée", "ar": "ملغى", "en": "cancelled"},
    "waitlisted": {
        "fr": "sur liste d'attente",
        "ar": "في لائحة الانتظار",
        "en": "on the waiting list",
    },
    "open": {"fr": "en cours", "ar": "قيد المعالجة", "en": "open"},
    "closed": {"fr": "traitée", "ar": "تمت معالجته", "en": "closed"},
    "head_office": {"fr": "siège de l'ASMEX", "ar": "مقر ASMEX", "en": "ASMEX head office"},
    "all_events": {"fr": "tous les événements", "ar": "جميع الأحداث", "en": "all events"},
}

_LIST_SEPARATOR: Final = {"fr": ", ", "ar": "، ", "en": ", "}
_ARABIC_MARKS_RE: Final = re.compile("[\u064b-\u065f\u0670]")


def _lang(lang: str | None) -> str:
    return lang if lang in REPLY_LANGUAGES else DEFAULT_LANGUAGE


def label(key: str, lang: str | None) -> str:
    """A value label ("gratuit", "not specified") in the reply language."""
    return LABELS[key][_lang(lang)]


def format_date(day: date, lang: str | None) -> str:
    """ "15 mars 2027", "15 مارس 2027", "15 March 2027"."""
    return f"{day.day} {MONTHS[_lang(lang)][day.month - 1]} {day.year}"


def format_period(start: date, end: date, lang: str | None) -> str:
    """A date or a date range, the shared month and year written once."""
    code = _lang(lang)
    if start == end:
        return format_date(start, code)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{format_date(end, code)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[code][start.month - 1]} - {format_date(end, code)}"
    return f"{format_date(start, code)} - {format_date(end, code)}"


@lru_cache(maxsize=8)
def _iso3166(lang: str) -> gettext.NullTranslations:
    import pycountry  # lazily: its database loads on first use

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str | None, lang: str | None) -> str:
    """The country's common name in the reply language (pycountry's translations)."""
    if not code:
        return ""
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    name = english if _lang(lang) == "en" else _iso3166(_lang(lang)).gettext(country.name)
    return _ARABIC_MARKS_RE.sub("", name)


def sector_name(sector: str, lang: str | None) -> str:
    """A canonical sector in words."""
    return SECTORS.get(sector, {}).get(_lang(lang), sector)


def sector_names(sectors: tuple[str, ...] | list[str], lang: str | None) -> str:
    """Sectors joined in the reply language; an empty list means all sectors."""
    if not sectors:
        return label("all_sectors", lang)
    return _LIST_SEPARATOR[_lang(lang)].join(sector_name(s, lang) for s in sectors)


def event_type_name(event_type: str, lang: str | None) -> str:
    """An event type in words (salon, بعثة, webinar...)."""
    return EVENT_TYPES.get(event_type, {}).get(_lang(lang), event_type)


def place(city: str | None, country: str | None, event_type: str, lang: str | None) -> str:
    """ "Dakar, Sénégal"; a webinar without a city is online."""
    if not city and event_type == "webinar":
        return label("online", lang)
    name = country_name(country, lang)
    if city and name:
        return f"{city}{_LIST_SEPARATOR[_lang(lang)]}{name}"
    return city or name


def fee(amount: int | None, lang: str | None) -> str:
    """ "15 000 MAD", "15000 درهم", "MAD 15,000", free, or not specified."""
    if amount is None:
        return label("unknown", lang)
    if amount == 0:
        return label("free", lang)
    code = _lang(lang)
    if code == "fr":
        return f"{amount:,} MAD".replace(",", "\u202f")
    if code == "ar":
        return f"{amount} درهم"
    return f"MAD {amount:,}"


def optional_date(day: date | None, lang: str | None) -> str:
    """A date, or "not specified"."""
    return format_date(day, lang) if day else label("unknown", lang)


def optional_text(value: str | None, lang: str | None) -> str:
    """A text, or "not specified"."""
    return value if value else label("unknown", lang)


# --- lists of values and views ---

#: What a template gets for an empty list (language-neutral).
NONE = "—"
BULLET = "• "


def joined(items: Iterable[str], lang: str) -> str:
    """Items separated by commas (the Arabic comma in Arabic), or NONE."""
    items = [i for i in items if i]
    return ("، " if lang == "ar" else ", ").join(items) if items else NONE


def bullets(lines: Iterable[str]) -> str:
    """One bulleted line per item, or NONE."""
    lines = [line for line in lines if line]
    return "\n".join(BULLET + line for line in lines) if lines else NONE


def numbered(lines: Sequence[str]) -> str:
    """1. 2. 3. lines."""
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def link_lines(urls: Iterable[str | None]) -> str:
    """Each distinct URL on its own line after a newline, or "" (the template has no gap)."""
    distinct = list(dict.fromkeys(u for u in urls if u))
    return "".join(f"\n🔗 {u}" for u in distinct)


def known_sectors(codes: Iterable[str], lang: str) -> str:
    """Sector names in the reply language, or NONE (not "all sectors": the sources name none)."""
    return joined((sector_name(c, lang) for c in codes), lang)


def sources_line(titles: Sequence[str]) -> str:
    """Source titles separated by semicolons, or NONE."""
    return " ; ".join(f"« {t} »" for t in titles) if titles else NONE


def event_lines(events: Sequence[EventView], lang: str) -> str:
    """One bullet per event; sample (invented) events end with an asterisk the response explains."""
    lines = []
    for event in events:
        where = place(event.city, None, event.type, lang)
        when = format_period(event.start_date, event.end_date, lang)
        mark = " *" if event.sample else ""
        lines.append(f"{event.title.get(lang)} ({where}{', ' if where else ''}{when}){mark}")
    return bullets(lines)


def payload(intent: str, **entities: str) -> str:
    """A button payload: ``/intent{"entity": "value"}``."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def event_buttons(events: Sequence[EventView], lang: str) -> list[dict[str, str]]:
    """A details button per event."""
    return [
        {
            "title": _short(event.title.get(lang)),
            "payload": payload("ask_mission_details", event_slug=event.slug),
        }
        for event in events
    ]


def procedure_block(
    procedure: ProcedureView, lang: str, *, summary: bool = True, link: bool = True
) -> str:
    """A procedure: its title, summary and numbered steps, and its link."""
    parts = [procedure.title.get(lang)]
    if summary:
        parts.append(procedure.summary.get(lang))
    if procedure.steps:
        parts.append(numbered([step.get(lang) for step in procedure.steps]))
    return "\n".join(parts) + (link_lines([procedure.url]) if link else "")


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
