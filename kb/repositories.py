"""Repository functions: typed, keyword-only after the session, returning frozen dataclasses.

The caller owns the transaction: functions flush but never commit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import (
    Agreement,
    AlertSubscription,
    Event,
    Market,
    Procedure,
    Region,
    Registration,
    Topic,
    User,
    utcnow,
)
from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES

UpsertAction = Literal["created", "updated", "unchanged"]


class RepositoryError(Exception):
    """A request the data does not allow."""


class NotFoundError(RepositoryError):
    """The object named does not exist."""


class RegistrationClosedError(RepositoryError):
    """The event does not take registrations (closed, cancelled, past or after the deadline)."""


# --- value objects -------------------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """One text in French, Arabic and English."""

    fr: str
    ar: str
    en: str

    def get(self, lang: str | None) -> str:
        """The text in ``lang``, falling back to French, then to any non-empty version."""
        code = lang if lang in REPLY_LANGUAGES else DEFAULT_LANGUAGE
        return getattr(self, code) or self.fr or self.en or self.ar

    @classmethod
    def of(cls, row: Any, prefix: str) -> Texts:
        """Read ``<prefix>_fr/_ar/_en`` columns from a row."""
        return cls(
            fr=getattr(row, f"{prefix}_fr") or "",
            ar=getattr(row, f"{prefix}_ar") or "",
            en=getattr(row, f"{prefix}_en") or "",
        )

    @classmethod
    def of_optional(cls, row: Any, prefix: str) -> Texts | None:
        """Like :meth:`of`, or None when all three columns are empty."""
        texts = cls.of(row, prefix)
        return texts if (texts.fr or texts.ar or texts.en) else None

    @classmethod
    def from_mapping(cls, value: dict[str, str]) -> Texts:
        """Build from a ``{fr, ar, en}`` mapping."""
        return cls(fr=value.get("fr", ""), ar=value.get("ar", ""), en=value.get("en", ""))

    def as_dict(self) -> dict[str, str]:
        """The ``{fr, ar, en}`` mapping."""
        return {"fr": self.fr, "ar": self.ar, "en": self.en}


@dataclass(frozen=True)
class EventInput:
    """A validated event as read from an import file or the knowledge base.

    ``status``, ``sample`` and ``source_id`` set to None keep what the database has
    (``open``, ``False`` and no source for a new event).
    """

    slug: str
    type: str
    title: Texts
    country: str
    city: str | None
    start_date: date
    end_date: date
    sectors: tuple[str, ...]
    organizer: str
    description: Texts | None = None
    venue: str | None = None
    registration_url: str | None = None
    registration_deadline: date | None = None
    fee_mad: int | None = None
    capacity: int | None = None
    status: str | None = None
    sample: bool | None = None
    source_id: str | None = None


@dataclass(frozen=True)
class EventView:
    """An event as seen on ``today``."""

    id: int
    slug: str
    type: str
    title: Texts
    description: Texts | None
    country: str
    city: str | None
    venue: str | None
    start_date: date
    end_date: date
    sectors: tuple[str, ...]
    organizer: str
    registration_url: str | None
    registration_deadline: date | None
    fee_mad: int | None
    capacity: int | None
    status: str
    sample: bool
    source_id: str | None
    today: date

    @property
    def past(self) -> bool:
        """The event has ended."""
        return self.end_date < self.today

    @property
    def ongoing(self) -> bool:
        """The event is taking place today."""
        return self.start_date <= self.today <= self.end_date

    @property
    def upcoming(self) -> bool:
        """The event has not started yet."""
        return self.start_date > self.today

    @property
    def registration_open(self) -> bool:
        """Registrations are taken: status open, not past, deadline not passed."""
        if self.status != "open" or self.past:
            return False
        return self.registration_deadline is None or self.today <= self.registration_deadline

    def as_input(self) -> EventInput:
        """The import form of this event (used by the export)."""
        return EventInput(
            slug=self.slug,
            type=self.type,
            title=self.title,
            description=self.description,
            country=self.country,
            city=self.city,
            venue=self.venue,
            start_date=self.start_date,
            end_date=self.end_date,
            sectors=self.sectors,
            organizer=self.organizer,
            registration_url=self.registration_url,
            registration_deadline=self.registration_deadline,
            fee_mad=self.fee_mad,
            capacity=self.capacity,
            status=self.status,
            sample=self.sample,
            source_id=self.source_id,
        )


@dataclass(frozen=True)
class EventUpsert:
    """What upsert_event did."""

    slug: str
    action: UpsertAction


@dataclass(frozen=True)
class MarketFactView:
    """One sourced paragraph of a market profile."""

    text: Texts
    source_id: str | None


@dataclass(frozen=True)
class MarketView:
    """A market profile."""

    country: str
    name: Texts
    aliases: tuple[str, ...]
    blocs: tuple[str, ...]
    agreements: tuple[str, ...]
    sectors: tuple[str, ...]
    facts: tuple[MarketFactView, ...]


@dataclass(frozen=True)
class AgreementView:
    """A trade agreement."""

    code: str
    name: Texts
    aliases: tuple[str, ...]
    summary: Texts
    countries: tuple[str, ...]
    blocs: tuple[str, ...]
    url: str | None
    source_id: str | None


@dataclass(frozen=True)
class ProcedureView:
    """An export procedure with its ordered steps."""

    code: str
    topic: str
    title: Texts
    summary: Texts
    steps: tuple[Texts, ...]
    url: str | None
    source_id: str | None


@dataclass(frozen=True)
class RegionView:
    """A Moroccan region, its foreign-trade office and ASMEX delegate."""

    code: str
    name: Texts
    cities: tuple[str, ...]
    office_name: Texts | None
    office_status: Texts | None
    office_source_id: str | None
    delegate_name: str | None
    delegate_as_of: date | None
    delegate_source_id: str | None


@dataclass(frozen=True)
class TopicView:
    """A short sourced answer."""

    code: str
    title: Texts
    body: Texts
    url: str | None
    source_id: str | None


@dataclass(frozen=True)
class UserView:
    """A user on one channel."""

    id: int
    channel: str
    channel_user_id: str
    language: str | None
    language_hint: str | None
    consent: bool


@dataclass(frozen=True)
class RegistrationView:
    """A registration with the event it is for."""

    id: int
    event_slug: str
    event_title: Texts
    event_start_date: date
    user_id: int | None
    company_name: str
    ice: str | None
    contact_name: str | None
    email: str | None
    phone: str | None
    sector: str | None
    status: str
    created_at: datetime
    cancelled_at: datetime | None


@dataclass(frozen=True)
class RegistrationOutcome:
    """A registration and whether this call created it."""

    registration: RegistrationView
    created: bool


@dataclass(frozen=True)
class AlertSubscriptionView:
    """An alert subscription; None filters match anything."""

    id: int
    user_id: int
    country: str | None
    sector: str | None
    event_type: str | None
    active: bool


# --- row -> view -----------------------------------------------------------------------------


def _event_view(row: Event, today: date) -> EventView:
    return EventView(
        id=row.id,
        slug=row.slug,
        type=row.type,
        title=Texts.of(row, "title"),
        description=Texts.of_optional(row, "description"),
        country=row.country,
        city=row.city,
        venue=row.venue,
        start_date=row.start_date,
        end_date=row.end_date,
        sectors=tuple(row.sectors or ()),
        organizer=row.organizer,
        registration_url=row.registration_url,
        registration_deadline=row.registration_deadline,
        fee_mad=row.fee_mad,
        capacity=row.capacity,
        status=row.status,
        sample=bool(row.sample),
        source_id=row.source_id,
        today=today,
    )


def _market_view(row: Market) -> MarketView:
    return MarketView(
        country=row.country,
        name=Texts.of(row, "name"),
        aliases=tuple(row.aliases or ()),
        blocs=tuple(row.blocs or ()),
        agreements=tuple(row.agreements or ()),
        sectors=tuple(row.sectors or ()),
        facts=tuple(
            MarketFactView(text=Texts.of(f, "text"), source_id=f.source_id) for f in row.facts
        ),
    )


def _agreement_view(row: Agreement) -> AgreementView:
    return AgreementView(
        code=row.code,
        name=Texts.of(row, "name"),
        aliases=tuple(row.aliases or ()),
        summary=Texts.of(row, "summary"),
        countries=tuple(row.countries or ()),
        blocs=tuple(row.blocs or ()),
        url=row.url,
        source_id=row.source_id,
    )


def _procedure_view(row: Procedure) -> ProcedureView:
    return ProcedureView(
        code=row.code,
        topic=row.topic,
        title=Texts.of(row, "title"),
        summary=Texts.of(row, "summary"),
        steps=tuple(Texts.from_mapping(step) for step in row.steps or ()),
        url=row.url,
        source_id=row.source_id,
    )


def _region_view(row: Region) -> RegionView:
    return RegionView(
        code=row.code,
        name=Texts.of(row, "name"),
        cities=tuple(row.cities or ()),
        office_name=Texts.of_optional(row, "office_name"),
        office_status=Texts.of_optional(row, "office_status"),
        office_source_id=row.office_source_id,
        delegate_name=row.delegate_name,
        delegate_as_of=row.delegate_as_of,
        delegate_source_id=row.delegate_source_id,
    )


def _user_view(row: User) -> UserView:
    return UserView(
        id=row.id,
        channel=row.channel,
        channel_user_id=row.channel_user_id,
        language=row.language,
        language_hint=row.language_hint,
        consent=bool(row.consent),
    )


def _registration_view(row: Registration) -> RegistrationView:
    return RegistrationView(
        id=row.id,
        event_slug=row.event.slug,
        event_title=Texts.of(row.event, "title"),
        event_start_date=row.event.start_date,
        user_id=row.user_id,
        company_name=row.company_name,
        ice=row.ice,
        contact_name=row.contact_name,
        email=row.email,
        phone=row.phone,
        sector=row.sector,
        status=row.status,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
    )


def _subscription_view(row: AlertSubscription) -> AlertSubscriptionView:
    return AlertSubscriptionView(
        id=row.id,
        user_id=row.user_id,
        country=row.country,
        sector=row.sector,
        event_type=row.event_type,
        active=bool(row.active),
    )


# --- events ----------------------------------------------------------------------------------


def _event_columns(event: EventInput) -> dict[str, Any]:
    description = event.description
    values: dict[str, Any] = {
        "type": event.type,
        "country": event.country,
        "city": event.city,
        "venue": event.venue,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "sectors": list(event.sectors),
        "organizer": event.organizer,
        "registration_url": event.registration_url,
        "registration_deadline": event.registration_deadline,
        "fee_mad": event.fee_mad,
        "capacity": event.capacity,
    }
    for lang in REPLY_LANGUAGES:
        values[f"title_{lang}"] = getattr(event.title, lang)
        values[f"description_{lang}"] = getattr(description, lang) if description else None
    if event.status is not None:
        values["status"] = event.status
    if event.sample is not None:
        values["sample"] = event.sample
    if event.source_id is not None:
        values["source_id"] = event.source_id
    return values


def upsert_event(session: Session, *, event: EventInput) -> EventUpsert:
    """Create the event or update it in place by slug; reports created/updated/unchanged."""
    values = _event_columns(event)
    row = session.scalars(select(Event).where(Event.slug == event.slug)).one_or_none()
    if row is None:
        session.add(Event(slug=event.slug, **values))
        session.flush()
        return EventUpsert(slug=event.slug, action="created")
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return EventUpsert(slug=event.slug, action="unchanged")
    for key, value in changed.items():
        setattr(row, key, value)
    session.flush()
    return EventUpsert(slug=event.slug, action="updated")


def get_event_by_slug(session: Session, *, slug: str, today: date) -> EventView | None:
    """The event with this slug, or None."""
    row = session.scalars(select(Event).where(Event.slug == slug)).one_or_none()
    return _event_view(row, today) if row else None


def list_events(
    session: Session,
    *,
    today: date,
    country: str | None = None,
    countries: Collection[str] | None = None,
    sector: str | None = None,
    event_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    include_past: bool = False,
    include_cancelled: bool = False,
    limit: int | None = 10,
) -> list[EventView]:
    """Events matching the filters, soonest first.

    ``countries`` (a world region's) keeps the events held in one of them.
    ``date_from``/``date_to`` keep events overlapping that period; past events (ended before
    ``today``) and cancelled ones are left out unless asked for. An event with no sectors is
    open to all, so it matches every ``sector``.
    """
    query = select(Event).order_by(Event.start_date, Event.end_date, Event.slug)
    if country:
        query = query.where(Event.country == country)
    if countries is not None:
        query = query.where(Event.country.in_(sorted(countries)))
    if event_type:
        query = query.where(Event.type == event_type)
    if date_from:
        query = query.where(Event.end_date >= date_from)
    if date_to:
        query = query.where(Event.start_date <= date_to)
    if not include_past:
        query = query.where(Event.end_date >= today)
    if not include_cancelled:
        query = query.where(Event.status != "cancelled")
    rows = session.scalars(query)
    # Sectors is a JSON list: filtered here, the same way on SQLite and PostgreSQL.
    views = [
        _event_view(r, today) for r in rows if not sector or not r.sectors or sector in r.sectors
    ]
    return views if limit is None else views[:limit]


def close_event(session: Session, *, slug: str, today: date) -> EventView:
    """Close registrations for an event; raises NotFoundError for an unknown slug."""
    row = session.scalars(select(Event).where(Event.slug == slug)).one_or_none()
    if row is None:
        raise NotFoundError(f"no event with slug {slug!r}")
    if row.status != "closed":
        row.status = "closed"
        session.flush()
    return _event_view(row, today)


# --- knowledge base --------------------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


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


def get_agreement(session: Session, *, code: str) -> AgreementView | None:
    """An agreement by code, or None."""
    row = session.get(Agreement, code)
    return _agreement_view(row) if row else None


def get_procedures(session: Session, *, topic: str) -> list[ProcedureView]:
    """The procedures of a topic in knowledge-base order."""
    rows = session.scalars(
        select(Procedure)
        .where(Procedure.topic == topic)
        .order_by(Procedure.position, Procedure.code)
    )
    return [_procedure_view(r) for r in rows]


def get_region(session: Session, *, code: str) -> RegionView | None:
    """A region by canonical code, or None."""
    row = session.get(Region, code)
    return _region_view(row) if row else None


def get_topic(session: Session, *, code: str) -> TopicView | None:
    """A topic answer by code, or None."""
    row = session.get(Topic, code)
    if row is None:
        return None
    return TopicView(
        code=row.code,
        title=Texts.of(row, "title"),
        body=Texts.of(row, "body"),
        url=row.url,
        source_id=row.source_id,
    )


# --- users -----------------------------------------------------------------------------------


def get_or_create_user(
    session: Session, *, channel: str, channel_user_id: str, language_hint: str | None = None
) -> UserView:
    """The user for a channel identity, created on first contact."""
    row = session.scalars(
        select(User).where(User.channel == channel, User.channel_user_id == channel_user_id)
    ).one_or_none()
    if row is None:
        row = User(channel=channel, channel_user_id=channel_user_id, language_hint=language_hint)
        session.add(row)
        session.flush()
    elif language_hint and row.language_hint != language_hint:
        row.language_hint = language_hint
        session.flush()
    return _user_view(row)


def _user_row(session: Session, user_id: int) -> User:
    row = session.get(User, user_id)
    if row is None:
        raise NotFoundError(f"no user with id {user_id}")
    return row


def set_user_language(session: Session, *, user_id: int, language: str | None) -> UserView:
    """Record the reply language the user chose (fr/ar/en), or None to detect it again."""
    if language is not None and language not in REPLY_LANGUAGES:
        raise ValueError(f"unknown reply language {language!r}")
    row = _user_row(session, user_id)
    row.language = language
    session.flush()
    return _user_view(row)


def set_user_consent(session: Session, *, user_id: int, consent: bool) -> UserView:
    """Record whether the user agreed to the storage of their data."""
    row = _user_row(session, user_id)
    row.consent = consent
    row.consent_at = utcnow() if consent else None
    session.flush()
    return _user_view(row)


# --- registrations ---------------------------------------------------------------------------


def create_registration(
    session: Session,
    *,
    event_slug: str,
    user_id: int | None,
    company_name: str,
    today: date,
    ice: str | None = None,
    contact_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    sector: str | None = None,
) -> RegistrationOutcome:
    """Register to an event; a user's second registration returns the active one unchanged.

    Raises NotFoundError for an unknown event and RegistrationClosedError when the event does
    not take registrations on ``today``.
    """
    event = session.scalars(select(Event).where(Event.slug == event_slug)).one_or_none()
    if event is None:
        raise NotFoundError(f"no event with slug {event_slug!r}")
    if user_id is not None:
        existing = session.scalars(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.user_id == user_id,
                Registration.status == "confirmed",
            )
        ).one_or_none()
        if existing is not None:
            return RegistrationOutcome(registration=_registration_view(existing), created=False)
    if not _event_view(event, today).registration_open:
        raise RegistrationClosedError(f"event {event_slug!r} does not take registrations")
    row = Registration(
        event=event,
        user_id=user_id,
        company_name=company_name,
        ice=ice,
        contact_name=contact_name,
        email=email,
        phone=phone,
        sector=sector,
        status="confirmed",
    )
    session.add(row)
    session.flush()
    return RegistrationOutcome(registration=_registration_view(row), created=True)


def list_registrations(
    session: Session, *, user_id: int, include_cancelled: bool = False
) -> list[RegistrationView]:
    """A user's registrations, soonest event first."""
    query = (
        select(Registration)
        .join(Registration.event)
        .where(Registration.user_id == user_id)
        .order_by(Event.start_date, Registration.id)
    )
    if not include_cancelled:
        query = query.where(Registration.status == "confirmed")
    return [_registration_view(r) for r in session.scalars(query)]


def cancel_registration(
    session: Session, *, user_id: int, event_slug: str
) -> RegistrationView | None:
    """Cancel the user's active registration to an event; None when there is none."""
    row = session.scalars(
        select(Registration)
        .join(Registration.event)
        .where(
            Registration.user_id == user_id,
            Event.slug == event_slug,
            Registration.status == "confirmed",
        )
    ).one_or_none()
    if row is None:
        return None
    row.status = "cancelled"
    row.cancelled_at = utcnow()
    session.flush()
    return _registration_view(row)


def list_all_registrations(
    session: Session, *, event_slug: str | None = None, include_cancelled: bool = True
) -> list[RegistrationView]:
    """Every registration (for ASMEX staff), by event date then registration time."""
    query = (
        select(Registration)
        .join(Registration.event)
        .order_by(Event.start_date, Event.slug, Registration.created_at, Registration.id)
    )
    if event_slug is not None:
        query = query.where(Event.slug == event_slug)
    if not include_cancelled:
        query = query.where(Registration.status == "confirmed")
    return [_registration_view(r) for r in session.scalars(query)]


# --- alerts ----------------------------------------------------------------------------------


def _same(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value


def subscribe_alerts(
    session: Session,
    *,
    user_id: int,
    country: str | None = None,
    sector: str | None = None,
    event_type: str | None = None,
) -> AlertSubscriptionView:
    """Subscribe to alerts for these filters (None = any); re-subscribing reactivates.

    A reactivated subscription starts again now (``created_at``): alerts are sent for events
    created after it, not for those added while it was inactive.
    """
    _user_row(session, user_id)
    row = session.scalars(
        select(AlertSubscription).where(
            AlertSubscription.user_id == user_id,
            _same(AlertSubscription.country, country),
            _same(AlertSubscription.sector, sector),
            _same(AlertSubscription.event_type, event_type),
        )
    ).one_or_none()
    if row is None:
        row = AlertSubscription(
            user_id=user_id, country=country, sector=sector, event_type=event_type, active=True
        )
        session.add(row)
    elif not row.active:
        row.active = True
        row.created_at = utcnow()
    session.flush()
    return _subscription_view(row)


def unsubscribe_alerts(
    session: Session,
    *,
    user_id: int,
    country: str | None = None,
    sector: str | None = None,
    event_type: str | None = None,
) -> int:
    """Deactivate the user's subscriptions matching every filter given (none given: all).

    Returns how many were deactivated.
    """
    query = select(AlertSubscription).where(
        AlertSubscription.user_id == user_id, AlertSubscription.active.is_(True)
    )
    for column, value in (
        (AlertSubscription.country, country),
        (AlertSubscription.sector, sector),
        (AlertSubscription.event_type, event_type),
    ):
        if value is not None:
            query = query.where(column == value)
    rows = list(session.scalars(query))
    for row in rows:
        row.active = False
    session.flush()
    return len(rows)


def list_alert_subscriptions(session: Session, *, user_id: int) -> list[AlertSubscriptionView]:
    """A user's active alert subscriptions."""
    rows = session.scalars(
        select(AlertSubscription)
        .where(AlertSubscription.user_id == user_id, AlertSubscription.active.is_(True))
        .order_by(AlertSubscription.id)
    )
    return [_subscription_view(r) for r in rows]
