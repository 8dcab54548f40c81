"""Markets asked for by bloc ("les marchés de l'EAC") or by sector ("where is there demand
for textile?"): the matching market sheets, the bloc's agreement with Morocco, its sectors.

Used by action_market_profile (actions/markets.py) when ask_market carries a ``bloc`` entity
(canonical upper-case codes: EAC, COMESA, AFCFTA...) or a ``sector`` entity and no country.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import AWAITING, apologise, entity_values, reply_language
from kb.access import DatabaseUnavailable, run_db
from kb.display import joined, known_sectors, sector_name, sources_line
from kb.markets import get_bloc, list_agreements_for_bloc, list_markets
from kb.sources import source_titles
from kb.views import AgreementView, BlocView, MarketView
from nlu.vocabulary.canonical import is_sector

#: At most this many blocs answered from one message.
MAX_BLOCS: Final = 3


@dataclass(frozen=True)
class BlocAnswer:
    """One asked bloc: its members that have a sheet, its agreement with Morocco, sources."""

    asked: str
    bloc: BlocView | None
    members: tuple[MarketView, ...]
    #: Members whose sheet names demand for the asked sector (all members when none asked).
    matching: tuple[MarketView, ...]
    agreements: tuple[AgreementView, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class SectorAnswer:
    """Markets whose sheets name demand for one sector, and the sources saying so."""

    sector: str
    markets: tuple[MarketView, ...]
    sources: tuple[str, ...]


def bloc_codes(values: list[str]) -> list[str]:
    """Bloc entity values as codes (upper case, each once), at most MAX_BLOCS."""
    codes = (v.strip().upper() for v in values if v and v.strip())
    return list(dict.fromkeys(codes))[:MAX_BLOCS]


def sector_codes(values: list[str]) -> list[str]:
    """The canonical sectors among sector entity values."""
    return [v for v in dict.fromkeys(values) if is_sector(v)]


def _fact_sources(markets: tuple[MarketView, ...]) -> list[str | None]:
    return [f.source_id for m in markets for f in m.facts]


def bloc_answers(session: Session, *, codes: list[str], sector: str | None) -> list[BlocAnswer]:
    """What the knowledge base has on each asked bloc (optionally for one sector)."""
    answers = []
    for code in codes:
        bloc = get_bloc(session, code=code)
        if bloc is None:
            answers.append(BlocAnswer(code, None, (), (), (), ()))
            continue
        members = tuple(list_markets(session, bloc=bloc.code))
        matching = tuple(m for m in members if sector is None or sector in m.sectors)
        agreements = tuple(list_agreements_for_bloc(session, bloc=bloc.code))
        ids = [bloc.source_id, *(a.source_id for a in agreements)]
        if sector is not None:
            ids += _fact_sources(matching)
        answers.append(
            BlocAnswer(
                code,
                bloc,
                members,
                matching,
                agreements,
                tuple(source_titles(session, ids=ids)),
            )
        )
    return answers


def sector_answer(session: Session, *, sector: str) -> SectorAnswer:
    """The market sheets naming demand for ``sector``, with the sources of their facts."""
    markets = tuple(list_markets(session, sector=sector))
    return SectorAnswer(sector, markets, tuple(source_titles(session, ids=_fact_sources(markets))))


def _names(markets: tuple[MarketView, ...], lang: str) -> str:
    return joined(sorted(m.name.get(lang) for m in markets), lang)


def utter_bloc(
    dispatcher: CollectingDispatcher, answer: BlocAnswer, sector: str | None, lang: str
) -> None:
    """The reply to one asked bloc, with or without a sector."""
    bloc = answer.bloc
    if bloc is None:
        dispatcher.utter_message(response="utter_market_bloc_unknown", bloc=answer.asked)
        return
    common = {
        "bloc_name": bloc.name.get(lang),
        "members": _names(answer.members, lang),
        "agreements": joined((a.name.get(lang) for a in answer.agreements), lang),
        "sources": sources_line(answer.sources),
    }
    if sector is None:
        sectors = dict.fromkeys(s for m in answer.members for s in m.sectors)
        dispatcher.utter_message(
            response="utter_market_bloc", sectors=known_sectors(sectors, lang), **common
        )
    elif answer.matching:
        dispatcher.utter_message(
            response="utter_market_bloc_sector",
            sector_name=sector_name(sector, lang),
            markets=_names(answer.matching, lang),
            **common,
        )
    else:
        dispatcher.utter_message(
            response="utter_market_bloc_sector_none",
            sector_name=sector_name(sector, lang),
            **common,
        )


def utter_sector(dispatcher: CollectingDispatcher, answer: SectorAnswer, lang: str) -> None:
    """The reply to a sector asked alone: the markets whose sheets name demand for it."""
    name = sector_name(answer.sector, lang)
    if not answer.markets:
        dispatcher.utter_message(response="utter_market_sector_none", sector_name=name)
        return
    dispatcher.utter_message(
        response="utter_market_sector",
        sector_name=name,
        markets=_names(answer.markets, lang),
        sources=sources_line(answer.sources),
    )


async def answer_by_group(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, action: str, has_country: bool
) -> list[EventType] | None:
    """Answer a bloc (with an optional sector), or a sector named without a country; None when
    the message names neither, or names a country (the country's sheet answers then)."""
    blocs = bloc_codes(entity_values(tracker, "bloc"))
    sectors = sector_codes(entity_values(tracker, "sector"))
    sector = sectors[0] if sectors else None
    if has_country or (not blocs and sector is None):
        return None
    lang = reply_language(tracker)
    try:
        if blocs:
            answers = await run_db(bloc_answers, codes=blocs, sector=sector)
        else:
            by_sector = await run_db(sector_answer, sector=sector)
    except DatabaseUnavailable:
        return apologise(dispatcher, action)
    if blocs:
        for answer in answers:
            utter_bloc(dispatcher, answer, sector, lang)
    else:
        utter_sector(dispatcher, by_sector, lang)
    return [SlotSet(AWAITING, None)]
