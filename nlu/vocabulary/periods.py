"""Periods named in a message ("le mois prochain", "had l3am", "next quarter", "في شهر مارس").

Relative periods (this/next week, month, quarter, year; "dans 3 mois") are recognised on the
normalised text, Darija and Moroccan month names included; explicit months, days and years
("en mars", "March 2027", "le 15 mars 2027", "2027") are left to dateparser.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Final, Literal

from dateutil.relativedelta import relativedelta

from nlu.normalize import normalize_text

Period = tuple[date, date]
Unit = Literal["week", "month", "quarter", "year"]

DATEPARSER_LANGUAGES: Final = ["fr", "ar", "en"]

# --- relative periods, on normalize_text output (Arabic: bare alef, final ه, final ي) --------
_NEXT_AR: Final = r"(?:المقبل|القادم|الجاي|اللي جاي|الموالي|التالي)"
_NEXT_AR_F: Final = r"(?:المقبله|القادمه|الجايه|اللي جايه|الموالي[هة]|التاليه)"
_THIS_AR: Final = r"(?:هذا|هاد|هادا|هذه|هادي)"

_RELATIVE: Final[tuple[tuple[str, int, re.Pattern[str]], ...]] = tuple(
    (unit, offset, re.compile(pattern))
    for unit, offset, pattern in (
        (
            "year",
            1,
            r"\b(?:l'?annee prochaine|l'an prochain|annee prochaine|next year)\b"
            r"|\bl ?3am (?:lli |elli )?jay\b"
            rf"|(?:العام|السنه|عام) {_NEXT_AR}|(?:السنه) {_NEXT_AR_F}|العام الجاي",
        ),
        (
            "year",
            0,
            r"\b(?:cette annee|cet an|this year|had l ?3am|hadi l ?3am|had l'3am|had 3am"
            r"|l ?3am hada)\b"
            rf"|{_THIS_AR} ?(?:ال)?(?:عام|سنه)\b"
            r"|(?:العام|السنه) (?:الحالي|الحاليه|الجاري|الجاريه)",
        ),
        (
            "month",
            1,
            r"\b(?:le mois prochain|mois prochain|le prochain mois|next month)\b"
            r"|\bch?har (?:lli |elli )?jay\b|\bchhar jay\b"
            rf"|الشهر {_NEXT_AR}|شهر {_NEXT_AR}",
        ),
        (
            "month",
            0,
            r"\b(?:ce mois(?:-ci| ci)?|this month|had ch?har)\b"
            rf"|{_THIS_AR} ?(?:ال)?شهر\b|الشهر (?:الحالي|الجاري)",
        ),
        (
            "quarter",
            1,
            r"\b(?:le trimestre prochain|trimestre prochain|le prochain trimestre"
            r"|prochain trimestre|next quarter|trimestre (?:lli )?jay)\b"
            rf"|(?:الربع|الفصل) {_NEXT_AR}|الثلاثيه {_NEXT_AR_F}",
        ),
        (
            "quarter",
            0,
            r"\b(?:ce trimestre|this quarter|had trimestre)\b"
            rf"|{_THIS_AR} ?(?:الربع|الفصل|الثلاثيه)|(?:الربع|الفصل) (?:الحالي|الجاري)"
            r"|الثلاثيه (?:الحاليه|الجاريه)",
        ),
        (
            "week",
            1,
            r"\b(?:la semaine prochaine|semaine prochaine|next week"
            r"|simana (?:lli )?jaya|ssimana jaya)\b"
            rf"|الاسبوع {_NEXT_AR}|السيمانه الجايه",
        ),
        (
            "week",
            0,
            r"\b(?:cette semaine|this week|had ssimana|had simana)\b"
            rf"|{_THIS_AR} ?(?:ال)?(?:اسبوع|سيمانه)",
        ),
    )
)

_NUMBER_WORDS: Final = {
    "un": 1,
    "une": 1,
    "one": 1,
    "a": 1,
    "واحد": 1,
    "wahed": 1,
    "wa7ed": 1,
    "deux": 2,
    "two": 2,
    "جوج": 2,
    "زوج": 2,
    "joj": 2,
    "jouj": 2,
    "اثنين": 2,
    "شهرين": 2,
    "trois": 3,
    "three": 3,
    "ثلاثه": 3,
    "ثلاث": 3,
    "تلاته": 3,
    "تلت": 3,
    "tlata": 3,
    "tlat": 3,
    "quatre": 4,
    "four": 4,
    "اربعه": 4,
    "اربع": 4,
    "rb3a": 4,
    "six": 6,
    "سته": 6,
    "ست": 6,
    "stta": 6,
    "douze": 12,
    "twelve": 12,
}
_UNIT_WORDS: Final = {
    "month": r"mois|months?|ch?hour|ch?hor|ch?hr|اشهر|شهور|شهر",
    "week": r"semaines?|weeks?|simanat|اسابيع|سيمانات",
    "day": r"jours?|days?|iyam|ايام|يوم",
    "year": r"ans|annees?|years?|snin|سنوات|سنين|اعوام",
}
_NUMBER: Final = (
    r"(\d{1,3}|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + ")"
)
_WITHIN_RE: Final = re.compile(
    r"(?:\b(?:dans|d'ici|sous|in|within|the next|next|les|f|men daba l|mn daba l)"
    r"|خلال|في غضون|بعد|في|ف)"
    rf" ?(?:les )?{_NUMBER} ?(?:prochains |next )?"
    rf"(?P<unit>{'|'.join(f'(?P<{u}>{w})' for u, w in _UNIT_WORDS.items())})(?:\b|(?=\s|$))"
)
_DUAL_MONTHS_RE: Final = re.compile(r"(?:خلال|في غضون|في|ف) ?(?:ال)?شهرين")

# Moroccan (and Darija) spellings dateparser does not know -> the ones it does.
_MONTH_ALIASES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(p), r)
    for p, r in (
        (
            r"\bf (?=(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre"
            r"|novembre|decembre)\b)",
            "en ",
        ),
        (
            r"(?:شهر|ش) ?(?=(?:يناير|فبراير|مارس|ابريل|ماي|مايو|يونيو|يوليو|يوليوز|غشت|اغسطس"
            r"|شتنبر|سبتمبر|اكتوبر|نونبر|نوفمبر|دجنبر|ديسمبر)\b)",
            "",
        ),
        (
            r"(?<!\S)ف(?=(?:يناير|فبراير|مارس|ابريل|ماي|يونيو|يوليوز|غشت|شتنبر|اكتوبر|نونبر|دجنبر)\b)",
            "في ",
        ),
        (r"\bيوليوز\b", "يوليو"),
        (r"\bغشت\b", "اغسطس"),
        (r"\bشتنبر\b", "سبتمبر"),
        (r"\bنونبر\b", "نوفمبر"),
        (r"\bدجنبر\b", "ديسمبر"),
        (r"\bماي\b", "مايو"),
    )
)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def unit_period(unit: Unit, offset: int, today: date) -> Period:
    """The week, month, quarter or year containing ``today``, moved by ``offset`` units."""
    if unit == "week":
        start = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
        return start, start + timedelta(days=6)
    if unit == "month":
        start = today.replace(day=1) + relativedelta(months=offset)
        return start, _month_end(start)
    if unit == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = today.replace(month=first_month, day=1) + relativedelta(months=3 * offset)
        return start, _month_end(start + relativedelta(months=2))
    year = today.year + offset
    return date(year, 1, 1), date(year, 12, 31)


def _within(text: str, today: date) -> Period | None:
    if _DUAL_MONTHS_RE.search(text):
        return today, today + relativedelta(months=2)
    match = _WITHIN_RE.search(text)
    if not match:
        return None
    raw = match.group(1)
    count = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    if count <= 0:
        return None
    if match.group("month"):
        return today, today + relativedelta(months=count)
    if match.group("week"):
        return today, today + timedelta(weeks=count)
    if match.group("day"):
        return today, today + timedelta(days=count)
    return today, today + relativedelta(years=count)


def _prepare_for_dateparser(text: str) -> str:
    for pattern, replacement in _MONTH_ALIASES:
        text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=1)
def _date_data_parser() -> Any:
    from dateparser.date import DateDataParser  # slow import: loaded on first use

    return DateDataParser(languages=DATEPARSER_LANGUAGES)


def _dateparser_settings(today: date) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": "future",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }


_YEAR_ONLY_RE: Final = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
# A phrase dateparser found counts only with a month name or a year in it ("m" alone is not
# a month, "may I" is not May).
_MONTH_WORD_RE: Final = re.compile(
    r"\b(?:janv(?:ier)?|fevr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|aout|sept(?:embre)?"
    r"|oct(?:obre)?|nov(?:embre)?|dec(?:embre)?|jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?"
    r"|june?|july?|aug(?:ust)?|september|october|november|december|(?:in|of|en) may|may 20\d\d)\b"
    r"|يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر"
)
_MONTH_PHRASE_RE: Final = re.compile(
    r"(?:(?<!\d)\d{1,2}(?:er)? )?(?:" + _MONTH_WORD_RE.pattern + r")(?: 20\d\d)?"
)
_HAS_DAY_RE: Final = re.compile(r"(?<!\d)\d{1,2}(?:er|e)?(?!\d)")
_MAX_YEARS_AHEAD: Final = 10


def _find_phrase(text: str, today: date) -> tuple[str, datetime] | None:
    """The first date phrase with a month or a year in it, and its date."""
    from dateparser import parse
    from dateparser.search import search_dates

    settings = _dateparser_settings(today)
    found = search_dates(text, languages=DATEPARSER_LANGUAGES, settings=settings) or []
    for phrase, when in found:
        if _MONTH_WORD_RE.search(phrase) or _YEAR_ONLY_RE.search(phrase):
            return phrase, when
    # Words dateparser does not know around the month ("wach kayna chi mission f septembre")
    # hide it from search_dates: parse the month phrase alone.
    match = _MONTH_PHRASE_RE.search(text)
    if match:
        when = parse(match.group(), languages=DATEPARSER_LANGUAGES, settings=settings)
        if when is not None:
            return match.group(), when
    return None


def _explicit(text: str, today: date) -> Period | None:
    found = _find_phrase(_prepare_for_dateparser(text), today)
    if found is None:
        return None
    phrase, when = found
    day = when.date()
    if abs(day.year - today.year) > _MAX_YEARS_AHEAD:
        return None
    stripped = phrase.strip()
    year_only = _YEAR_ONLY_RE.fullmatch(re.sub(r"^(?:en|in|fi|في|f|de|of)\s+", "", stripped))
    if year_only:
        year = int(year_only.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    data = _date_data_parser().get_date_data(stripped)
    granularity = getattr(data, "period", None) or data["period"]
    without_year = _YEAR_ONLY_RE.sub("", stripped)
    if granularity == "day" and _HAS_DAY_RE.search(without_year):
        return day, day
    if granularity == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    start = day.replace(day=1)
    if not _YEAR_ONLY_RE.search(stripped) and (start.year, start.month) == (
        today.year + 1,
        today.month,
    ):
        start = start.replace(year=today.year)  # "en mai" in May: this month, not next year's
    return start, _month_end(start)


def period_from_text(text: str, today: date) -> Period | None:
    """The (first day, last day) period a message names, or None when it names none.

    ``today`` anchors relative expressions; a month without a year is its next occurrence
    (the current month included).
    """
    if not text or not text.strip():
        return None
    normalized = normalize_text(text)
    for unit, offset, pattern in _RELATIVE:
        if pattern.search(normalized):
            return unit_period(unit, offset, today)  # type: ignore[arg-type]
    within = _within(normalized, today)
    if within:
        return within
    return _explicit(normalized, today)
