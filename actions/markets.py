"""Foreign markets (ask_market) and trade agreements (ask_trade_agreement); markets asked by
bloc or sector are answered by actions/market_groups.py."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from rapidfuzz import fuzz
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import (
    AWAITING,
    apologise,
    ask_which,
    canonical_countries,
    entity_values,
    reply_language,
)
from actions.market_groups import answer_by_group
from core import clock
from kb import display
from kb.access import DatabaseUnavailable, run_db
from kb.display import (
    bullets,
    event_buttons,
    event_lines,
    joined,
    known_sectors,
    link_lines,
    procedure_block,
    sources_line,
)
from kb.events import list_events
from kb.markets import (
    find_market,
    get_market,
    list_agreements,
    list_agreements_for_country,
    list_blocs,
)
from kb.services import get_procedures
from kb.sources import source_titles
from kb.views import AgreementView, BlocView, EventView, MarketView, ProcedureView, Texts
from nlu.vocabulary.canonical import is_country

#: Markets offered as buttons when the user names none (those the knowledge base has).
SUGGESTED_MARKETS: Final = ("KE", "SN", "CI", "US", "CN", "AE")
#: At most this many countries answered from one message.
MAX_COUNTRIES: Final = 3
MAX_EVENTS: Final = 5

#: `agreement` entity value of the "rules / certificates of origin" button.
ORIGIN: Final = "origin"
#: Words asking about rules or certificates of origin (normalised text, see _fold).
_ORIGIN_RE: Final = re.compile(
    r"\borigine?s?\b|\beur\.?\s?1\b|\bl.?asl\b|"
    "\u0645\u0646\u0634\u0623|\u0645\u0646\u0634\u0627"  # منشأ, منشا
)
#: Aliases at least this long may match approximately (rapidfuzz partial_ratio).
_FUZZY_MIN: Final = 6
_FUZZY_THRESHOLD: Final = 90.0


def _fold(text: str) -> str:
    """Lower case, no accents, Arabic hamza forms folded (for alias matching)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub("[\u0623\u0625\u0622]", "\u0627", plain).replace("\u2019", "'")


def wants_origin(text: str) -> bool:
    """True when the message asks about rules or certificates of origin."""
    return bool(_ORIGIN_RE.search(_fold(text)))


def match_agreement(text: str, agreements: list[AgreementView]) -> AgreementView | None:
    """The agreement a message names by code, name or alias: whole words first, then fuzzy."""
    folded = _fold(text)
    best: tuple[float, AgreementView] | None = None
    for agreement in agreements:
        forms = [agreement.code, *agreement.aliases, *agreement.name.as_dict().values()]
        for form in (_fold(f) for f in forms if f):
            if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", folded):
                score = 100.0 + len(form)  # the longest exact form wins
            elif _FUZZY_MIN <= len(form) <= len(folded):  # the form must fit in the text
                score = fuzz.partial_ratio(form, folded)
                if score < _FUZZY_THRESHOLD:
                    continue
            else:
                continue
            if best is None or score > best[0]:
                best = (score, agreement)
    return best[1] if best else None


# --- database work (run in a worker thread by run_db) ---------------------------------------


@dataclass(frozen=True)
class MarketAnswer:
    """What the knowledge base knows about one asked country."""

    asked: str
    country: str | None
    market: MarketView | None
    blocs: tuple[BlocView, ...]
    agreements: tuple[AgreementView, ...]
    events: tuple[EventView, ...]
    sources: tuple[str, ...]


def _is_code(value: str) -> bool:
    return len(value) == 2 and value.isupper() and is_country(value)


def market_answers(session: Session, *, values: list[str], today: date) -> list[MarketAnswer]:
    """The profile, agreements, upcoming events and source titles of each asked country."""
    answers = []
    for value in values:
        if _is_code(value):
            market = get_market(session, country=value)
        else:
            market = find_market(session, query=value)
        if market is None:
            code = value if _is_code(value) else None
            answers.append(MarketAnswer(value, code, None, (), (), (), ()))
            continue
        blocs = list_blocs(session, codes=list(market.blocs))
        agreements = list_agreements_for_country(session, country=market.country)
        events = [
            e
            for e in list_events(session, today=today, country=market.country, limit=None)
            if not e.past
        ][:MAX_EVENTS]
        sources = source_titles(
            session,
            ids=[f.source_id for f in market.facts]
            + [b.source_id for b in blocs]
            + [a.source_id for a in agreements],
        )
        answers.append(
            MarketAnswer(
                value,
                market.country,
                market,
                tuple(blocs),
                tuple(agreements),
                tuple(events),
                tuple(sources),
            )
        )
    return answers


def suggested_markets(session: Session) -> list[MarketView]:
    """The SUGGESTED_MARKETS the knowledge base has."""
    found = (get_market(session, country=code) for code in SUGGESTED_MARKETS)
    return [m for m in found if m is not None]


@dataclass(frozen=True)
class AgreementAnswer:
    """Agreements asked about: a named one, the ones covering a country, origin procedures."""

    named: AgreementView | None
    country: str | None
    country_name: Texts | None
    for_country: tuple[AgreementView, ...]
    origin: tuple[ProcedureView, ...]
    all_agreements: tuple[AgreementView, ...]
    #: Source titles of the agreements shown, and of the origin procedures.
    sources: tuple[str, ...]
    origin_sources: tuple[str, ...]


def agreement_answer(
    session: Session,
    *,
    codes: list[str],
    text: str,
    country: str | None,
    origin: bool,
) -> AgreementAnswer:
    """Resolve the agreement named (entity code or alias in the text) and the country's ones."""
    every = list_agreements(session)
    by_code = {a.code: a for a in every}
    named = next((by_code[c] for c in codes if c in by_code), None)
    if named is None and not country:
        named = match_agreement(text, every)
    market = get_market(session, country=country) if country else None
    for_country = (
        list_agreements_for_country(session, country=country) if country and not named else []
    )
    procedures = get_procedures(session, topic="origin") if origin else []
    shown = ([named] if named else []) + list(for_country)
    sources = source_titles(session, ids=[a.source_id for a in shown])
    origin_sources = source_titles(session, ids=[p.source_id for p in procedures])
    return AgreementAnswer(
        named=named,
        country=country,
        country_name=market.name if market else None,
        for_country=tuple(for_country),
        origin=tuple(procedures),
        all_agreements=tuple(every),
        sources=tuple(sources),
        origin_sources=tuple(origin_sources),
    )


# --- actions ---------------------------------------------------------------------------------


class ActionMarketProfile(Action):
    """Answer ask_market with the country profile, or ask which country."""

    def name(self) -> str:
        return "action_market_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        values = (await canonical_countries(entity_values(tracker, "country")))[:MAX_COUNTRIES]
        grouped = await answer_by_group(
            dispatcher, tracker, action=self.name(), has_country=bool(values)
        )
        if grouped is not None:
            return grouped
        try:
            if not values:
                markets = await run_db(suggested_markets)
            else:
                answers = await run_db(market_answers, values=values, today=clock.today())
        except DatabaseUnavailable:
            return apologise(dispatcher, self.name())

        if not values:
            return ask_which(
                dispatcher,
                "utter_ask_market_country",
                awaiting="market",
                intent="ask_market",
                choices=[(m.name.get(lang), {"country": m.country}) for m in markets],
            )

        for answer in answers:
            self._utter_answer(dispatcher, answer, lang)
        return [SlotSet(AWAITING, None)]

    @staticmethod
    def _utter_answer(dispatcher: CollectingDispatcher, answer: MarketAnswer, lang: str) -> None:
        market = answer.market
        if market is None:
            name = display.country_name(answer.country, lang) if answer.country else answer.asked
            dispatcher.utter_message(response="utter_market_unknown", country_name=name)
            return
        country_name = market.name.get(lang)
        dispatcher.utter_message(
            response="utter_market_profile",
            country_name=country_name,
            blocs=joined((b.name.get(lang) for b in answer.blocs), lang),
            agreements=joined((a.name.get(lang) for a in answer.agreements), lang),
            sectors=known_sectors(market.sectors, lang),
            facts=bullets(f.text.get(lang) for f in market.facts),
            sources=sources_line(answer.sources),
        )
        if not market.facts:
            dispatcher.utter_message(response="utter_market_no_facts", country_name=country_name)
        if answer.events:
            sample = any(e.sample for e in answer.events)
            dispatcher.utter_message(
                response="utter_market_events_sample" if sample else "utter_market_events",
                country_name=country_name,
                events=event_lines(answer.events, lang),
                buttons=event_buttons(answer.events, lang),
            )


class ActionTradeAgreement(Action):
    """Answer ask_trade_agreement: a named agreement, a country's agreements, rules of origin."""

    def name(self) -> str:
        return "action_trade_agreement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        text = tracker.latest_message.get("text") or ""
        codes = entity_values(tracker, "agreement")
        origin = ORIGIN in codes or wants_origin(text)
        countries = await canonical_countries(entity_values(tracker, "country"))
        country = next((c for c in countries if _is_code(c)), None)
        try:
            answer = await run_db(
                agreement_answer,
                codes=[c for c in codes if c != ORIGIN],
                text=text,
                country=country,
                origin=origin,
            )
        except DatabaseUnavailable:
            return apologise(dispatcher, self.name())

        if answer.named is None and not answer.country and not answer.origin:
            return ask_which(
                dispatcher,
                "utter_ask_trade_agreement",
                awaiting="agreement",
                intent="ask_trade_agreement",
                choices=[(a.name.get(lang), {"agreement": a.code}) for a in answer.all_agreements],
            )

        self._utter_answer(dispatcher, answer, lang)
        return [SlotSet(AWAITING, None)]

    @staticmethod
    def _utter_answer(dispatcher: CollectingDispatcher, answer: AgreementAnswer, lang: str) -> None:
        sources = sources_line(answer.sources)
        if answer.named is not None:
            dispatcher.utter_message(
                response="utter_trade_agreement_detail",
                agreement_name=answer.named.name.get(lang),
                summary=answer.named.summary.get(lang),
                links=link_lines([answer.named.url]),
                sources=sources,
            )
        elif answer.country:
            name = (
                answer.country_name.get(lang)
                if answer.country_name
                else display.country_name(answer.country, lang)
            )
            if answer.for_country:
                dispatcher.utter_message(
                    response="utter_trade_agreements_for_country",
                    country_name=name,
                    agreements=bullets(
                        f"{a.name.get(lang)} — {a.summary.get(lang)}" for a in answer.for_country
                    ),
                    links=link_lines(a.url for a in answer.for_country),
                    sources=sources,
                )
            else:
                dispatcher.utter_message(response="utter_trade_agreements_none", country_name=name)
        if answer.origin:
            dispatcher.utter_message(
                response="utter_origin_rules",
                procedures="\n\n".join(procedure_block(p, lang) for p in answer.origin),
                sources=sources_line(answer.origin_sources),
            )
