"""Markets (one country's export profile), the blocs they belong to and the trade agreements
that cover them."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Agreement, Bloc, Market
from kb.views import AgreementView, BlocView, MarketFactView, MarketView, Texts, view_of


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _market_view(row: Market) -> MarketView:
    facts = (MarketFactView(text=Texts.of(f, "text"), source_id=f.source_id) for f in row.facts)
    return view_of(
        MarketView,
        row,
        name=Texts.of(row, "name"),
        aliases=tuple(row.aliases or ()),
        blocs=tuple(row.blocs or ()),
        agreements=tuple(row.agreements or ()),
        sectors=tuple(row.sectors or ()),
        facts=tuple(facts),
    )


def _agreement_view(row: Agreement) -> AgreementView:
    return view_of(
        AgreementView,
        row,
        name=Texts.of(row, "name"),
        aliases=tuple(row.aliases or ()),
        summary=Texts.of(row, "summary"),
        countries=tuple(row.countries or ()),
        blocs=tuple(row.blocs or ()),
    )


def get_market(session: Session, *, country: str) -> MarketView | None:
    """The market profile of an ISO country code, or None."""
    row = session.get(Market, country.upper())
    return _market_view(row) if row else None


def find_market(session: Session, *, query: str) -> MarketView | None:
    """A market by ISO code, name in any language, or alias (case and accents ignored)."""
    direct = get_market(session, country=query.strip()) if len(query.strip()) == 2 else None
    if direct:
        return direct
    wanted = _fold(query)
    for row in session.scalars(select(Market).order_by(Market.country)):
        names = [row.name_fr, row.name_ar, row.name_en, *(row.aliases or ())]
        if any(_fold(n) == wanted for n in names if n):
            return _market_view(row)
    return None


def get_agreement(session: Session, *, code: str) -> AgreementView | None:
    """An agreement by code, or None."""
    row = session.get(Agreement, code)
    return _agreement_view(row) if row else None


def list_agreements(session: Session) -> list[AgreementView]:
    """Every trade agreement of the knowledge base, by code."""
    return [_agreement_view(r) for r in session.scalars(select(Agreement).order_by(Agreement.code))]


def list_agreements_for_country(session: Session, *, country: str) -> list[AgreementView]:
    """Agreements covering a country: listed by its market, naming it, or through a shared bloc."""
    code = country.upper()
    market = session.get(Market, code)
    market_agreements = set(market.agreements or ()) if market else set()
    market_blocs = set(market.blocs or ()) if market else set()
    found = []
    for row in session.scalars(select(Agreement).order_by(Agreement.code)):
        if (
            row.code in market_agreements
            or code in (row.countries or ())
            or market_blocs.intersection(row.blocs or ())
        ):
            found.append(_agreement_view(row))
    return found


def _bloc_view(row: Bloc) -> BlocView:
    return view_of(BlocView, row, name=Texts.of(row, "name"), members=tuple(row.members or ()))


def get_bloc(session: Session, *, code: str) -> BlocView | None:
    """A bloc by code (EU, ECOWAS, AFCFTA...; case ignored), or None."""
    row = session.get(Bloc, code.strip().upper())
    return _bloc_view(row) if row else None


def list_blocs(session: Session, *, codes: list[str] | None = None) -> list[BlocView]:
    """Every bloc (or those of ``codes``, in that order) the knowledge base has."""
    if codes is None:
        return [_bloc_view(r) for r in session.scalars(select(Bloc).order_by(Bloc.code))]
    found = (session.get(Bloc, code) for code in codes)
    return [_bloc_view(r) for r in found if r is not None]


def list_markets(
    session: Session, *, bloc: str | None = None, sector: str | None = None
) -> list[MarketView]:
    """Market sheets of a bloc's members and/or naming demand for a sector, by French name."""
    found = []
    for row in session.scalars(select(Market).order_by(Market.name_fr)):
        if bloc is not None and bloc not in (row.blocs or ()):
            continue
        if sector is not None and sector not in (row.sectors or ()):
            continue
        found.append(_market_view(row))
    return found


def list_agreements_for_bloc(session: Session, *, bloc: str) -> list[AgreementView]:
    """Agreements Morocco has with a bloc as a whole (those naming it in their blocs)."""
    rows = session.scalars(select(Agreement).order_by(Agreement.code))
    return [_agreement_view(r) for r in rows if bloc in (r.blocs or ())]
