"""What the repositories return: plain frozen dataclasses, and the errors they raise."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

UpsertAction = Literal["created", "updated", "unchanged"]

#: EventInput fields that are not stored as they are: the key, texts, and those None keeps.
_NOT_PLAIN = ("slug", "title", "description", "status", "sample", "source_id")

V = TypeVar("V", bound="DataclassInstance")


def view_of(cls: type[V], row: Any, **computed: Any) -> V:
    """A ``cls`` dataclass built from ``computed``, its other fields copied from ``row`` by name."""
    copied = {f.name: getattr(row, f.name) for f in fields(cls) if f.name not in computed}
    return cls(**copied, **computed)


class RepositoryError(Exception):
    """A request the data does not allow."""


class NotFoundError(RepositoryError):
    """The object named does not exist."""


class RegistrationClosedError(RepositoryError):
    """The event does not take registrations (closed, cancelled, past or after the deadline)."""


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

    def plain_values(self) -> dict[str, Any]:
        """The fields stored and written as they are, by name (``sectors`` as a list)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_PLAIN}
        values["sectors"] = list(self.sectors)
        return values


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
        """Registrations are taken: status open, not started yet, deadline not passed."""
        if self.status != "open" or not self.upcoming:
            return False
        return self.registration_deadline is None or self.today <= self.registration_deadline

    def as_input(self) -> EventInput:
        """The import form of this event (used by the export)."""
        return view_of(EventInput, self)


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
class BlocView:
    """A regional or economic bloc and its member countries."""

    code: str
    name: Texts
    members: tuple[str, ...]
    url: str | None
    source_id: str | None


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
