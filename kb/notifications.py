"""Which alerts and reminders are due, and the record that sends each one at most once.

What is due (``today`` is clock.today(), the date in Morocco):

- ``alert``: a new event for a user with a matching active alert subscription. The event is
  upcoming (starts after today) and takes registrations (status open, deadline not passed), and
  was created after the subscription (re)started, so a new subscriber is not flooded with every
  event already known. One alert per user and event, however many subscriptions match.
- ``reminder_7d`` / ``reminder_1d``: a confirmed registration of a known user to an event that
  is not cancelled (a closed one still takes place). With ``d`` days left before its start,
  ``reminder_1d`` is due when d == 1, ``reminder_7d`` when 2 <= d <= 7: a run that comes late
  still sends the 7-day reminder while it is the relevant one (saying "in 5 days"), but once
  the 1-day reminder is due the 7-day one is never sent. On the start day or later: nothing.

A ``notifications_sent`` row (kind, user, event) is claimed in its own committed transaction
before sending and then marked sent or failed; any existing row makes the notification not due,
except a ``failed`` one when the caller asks to retry those. The caller owns the transactions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final, Literal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kb.events import list_events
from kb.models import AlertSubscription, Event, NotificationSent, Registration, User, utcnow
from kb.views import EventView
from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES

Kind = Literal[
    "alert",
    "reminder_7d",
    "reminder_1d",
    "registration_confirmed",
    "registration_waitlisted",
    "registration_cancelled",
]
ALERT: Final = "alert"
REMINDER_7D: Final = "reminder_7d"
REMINDER_1D: Final = "reminder_1d"
KINDS: Final[tuple[Kind, ...]] = (ALERT, REMINDER_7D, REMINDER_1D)
#: A registration's new status told to its member (kb.status_notices), one kind per status.
STATUS_KINDS: Final[tuple[Kind, ...]] = (
    "registration_confirmed",
    "registration_waitlisted",
    "registration_cancelled",
)

#: The longest error text kept in notifications_sent.last_error.
MAX_ERROR_LENGTH: Final = 500


@dataclass(frozen=True)
class DueNotification:
    """One alert or reminder to send to one user about one event."""

    kind: Kind
    user_id: int
    channel: str
    channel_user_id: str
    language: str  # reply language: fr, ar or en
    last_inbound_at: datetime | None
    event: EventView
    days_left: int
    #: None for a first attempt, "failed" when retrying a failed one.
    previous_status: str | None = None

    @property
    def key(self) -> str:
        """ "alert:<user id>:<event id>", for logs."""
        return f"{self.kind}:{self.user_id}:{self.event.id}"


@dataclass(frozen=True)
class ClaimedNotification:
    """A row still 'claimed': its sender stopped (or is still running) before confirming."""

    kind: str
    user_id: int
    event_slug: str
    claimed_at: datetime


def preferred_language(language: str | None, language_hint: str | None) -> str:
    """The user's chosen reply language, else their channel's hint (ar, en), else French."""
    if language in REPLY_LANGUAGES:
        return language  # type: ignore[return-value]
    hint = (language_hint or "").strip().lower()
    for code in ("ar", "en"):
        if hint == code or hint.startswith((f"{code}-", f"{code}_")):
            return code
    return DEFAULT_LANGUAGE


def reminder_kind(days_left: int) -> Kind | None:
    """The reminder due with ``days_left`` days before the start (the most relevant one only)."""
    if days_left == 1:
        return REMINDER_1D
    if 2 <= days_left <= 7:
        return REMINDER_7D
    return None


def subscription_matches(subscription: AlertSubscription, event: EventView) -> bool:
    """True when every filter of the subscription is unset or fits the event.

    An event with no sectors is open to all, so it matches every sector (as in list_events).
    """
    if subscription.country and subscription.country != event.country:
        return False
    if subscription.event_type and subscription.event_type != event.type:
        return False
    return not (subscription.sector and event.sectors and subscription.sector not in event.sectors)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive UTC datetimes, PostgreSQL aware ones: compare them as aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _blocking(
    session: Session, kind: str, event_ids: Collection[int], retry_failed: bool
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(user, event) pairs already recorded for ``kind``: (not due, failed ones to retry)."""
    rows = session.execute(
        select(NotificationSent.user_id, NotificationSent.event_id, NotificationSent.status).where(
            NotificationSent.kind == kind, NotificationSent.event_id.in_(list(event_ids))
        )
    )
    blocked, retry = set(), set()
    for user_id, event_id, status in rows:
        if retry_failed and status == "failed":
            retry.add((user_id, event_id))
        else:
            blocked.add((user_id, event_id))
    return blocked, retry


def _due(kind: Kind, user: User, event: EventView, today: date, retrying: bool) -> DueNotification:
    return DueNotification(
        kind=kind,
        user_id=user.id,
        channel=user.channel,
        channel_user_id=user.channel_user_id,
        language=preferred_language(user.language, user.language_hint),
        last_inbound_at=user.last_inbound_at,
        event=event,
        days_left=(event.start_date - today).days,
        previous_status="failed" if retrying else None,
    )


def _sorted(dues: Iterable[DueNotification]) -> list[DueNotification]:
    return sorted(dues, key=lambda d: (d.event.start_date, d.event.slug, d.kind, d.user_id))


def find_due_alerts(
    session: Session,
    *,
    today: date,
    event_slugs: Collection[str] | None = None,
    retry_failed: bool = False,
) -> list[DueNotification]:
    """Alerts due on ``today`` (only for ``event_slugs`` when given), soonest event first."""
    events = {
        e.id: e
        for e in list_events(session, today=today, limit=None)
        if e.upcoming and e.registration_open and (event_slugs is None or e.slug in event_slugs)
    }
    if not events:
        return []
    created = {
        event_id: _aware(created_at)
        for event_id, created_at in session.execute(
            select(Event.id, Event.created_at).where(Event.id.in_(list(events)))
        )
    }
    subscriptions = session.execute(
        select(AlertSubscription, User)
        .join(User, User.id == AlertSubscription.user_id)
        .where(AlertSubscription.active.is_(True))
        .order_by(AlertSubscription.id)
    ).all()
    blocked, retry = _blocking(session, ALERT, events, retry_failed)
    due: dict[tuple[int, int], DueNotification] = {}
    for event in events.values():
        for subscription, user in subscriptions:
            pair = (user.id, event.id)
            if pair in due or pair in blocked:
                continue
            if created[event.id] > _aware(subscription.created_at) and subscription_matches(
                subscription, event
            ):
                due[pair] = _due(ALERT, user, event, today, pair in retry)
    return _sorted(due.values())


def find_due_reminders(
    session: Session, *, today: date, retry_failed: bool = False
) -> list[DueNotification]:
    """Reminders due on ``today`` to registered users, soonest event first."""
    rows = session.execute(
        select(Registration.event_id, User)
        .join(User, User.id == Registration.user_id)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.status == "confirmed",
            Event.status != "cancelled",
            Event.start_date > today,
            Event.start_date <= today + timedelta(days=7),
        )
    ).all()
    if not rows:
        return []
    wanted = {event_id for event_id, _ in rows}
    events = {e.id: e for e in list_events(session, today=today, limit=None) if e.id in wanted}
    due: dict[tuple[str, int, int], DueNotification] = {}
    checked: dict[str, tuple[set[tuple[int, int]], set[tuple[int, int]]]] = {}
    for event_id, user in rows:
        event = events.get(event_id)
        kind = reminder_kind((event.start_date - today).days) if event else None
        if event is None or kind is None:
            continue
        if kind not in checked:
            checked[kind] = _blocking(session, kind, events, retry_failed)
        blocked, retry = checked[kind]
        pair = (user.id, event_id)
        if pair not in blocked:
            due[(kind, user.id, event_id)] = _due(kind, user, event, today, pair in retry)
    return _sorted(due.values())


def _row(kind: str, user_id: int, event_id: int, status: str) -> tuple[Any, ...]:
    """The conditions that name one notifications_sent row in ``status``."""
    return (
        NotificationSent.kind == kind,
        NotificationSent.user_id == user_id,
        NotificationSent.event_id == event_id,
        NotificationSent.status == status,
    )


def _insert(session: Session) -> type:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def claim_notification(
    session: Session, *, kind: str, user_id: int, event_id: int, retry_failed: bool = False
) -> bool:
    """Claim the right to send this notification; False when another row already holds it.

    A new row is inserted as 'claimed', a 'pending' one (a queued status notice) is claimed;
    with ``retry_failed`` a 'failed' row is claimed again. Commit before sending, so a crash
    after the send never sends it twice.
    """
    now = utcnow()
    inserted = session.execute(
        _insert(session)(NotificationSent)
        .values(kind=kind, user_id=user_id, event_id=event_id, status="claimed", sent_at=now)
        .on_conflict_do_nothing(index_elements=["kind", "user_id", "event_id"])
    )
    if inserted.rowcount:
        return True
    for status in ("pending", "failed") if retry_failed else ("pending",):
        reclaimed = session.execute(
            update(NotificationSent)
            .where(*_row(kind, user_id, event_id, status))
            .values(status="claimed", sent_at=now)
        )
        if reclaimed.rowcount:
            return True
    return False


def _finish(
    session: Session, claimed: tuple[Any, ...], *, status: str, attempts: int, error: str | None
) -> None:
    session.execute(
        update(NotificationSent)
        .where(*claimed)
        .values(
            status=status,
            sent_at=utcnow(),
            attempts=NotificationSent.attempts + attempts,
            last_error=error[:MAX_ERROR_LENGTH] if error else None,
        )
    )


def mark_sent(session: Session, *, kind: str, user_id: int, event_id: int, attempts: int) -> None:
    """Record a claimed notification as delivered (``attempts`` added to the count)."""
    claimed = _row(kind, user_id, event_id, "claimed")
    _finish(session, claimed, status="sent", attempts=attempts, error=None)


def mark_failed(
    session: Session, *, kind: str, user_id: int, event_id: int, attempts: int, error: str
) -> None:
    """Record a claimed notification as given up, with the last error."""
    claimed = _row(kind, user_id, event_id, "claimed")
    _finish(session, claimed, status="failed", attempts=attempts, error=error)


def list_claimed(
    session: Session, *, claimed_before: datetime | None = None
) -> list[ClaimedNotification]:
    """Rows still 'claimed' (claimed before ``claimed_before`` when given), oldest first."""
    row = NotificationSent
    query = (
        select(row.kind, row.user_id, Event.slug, row.sent_at)
        .join(Event, Event.id == NotificationSent.event_id)
        .where(NotificationSent.status == "claimed")
        .order_by(NotificationSent.sent_at, NotificationSent.id)
    )
    if claimed_before is not None:
        query = query.where(NotificationSent.sent_at < claimed_before)
    return [
        ClaimedNotification(kind=kind, user_id=user_id, event_slug=slug, claimed_at=at)
        for kind, user_id, slug, at in session.execute(query)
    ]


def release_claims(session: Session, *, claimed_before: datetime) -> int:
    """Turn rows claimed before ``claimed_before`` into 'failed', so a retry may send them.

    Staff do this after checking that an interrupted run did not deliver them (the message may
    have gone out just before the crash). Returns how many rows were released.
    """
    result = session.execute(
        update(NotificationSent)
        .where(NotificationSent.status == "claimed", NotificationSent.sent_at < claimed_before)
        .values(status="failed", last_error="interrupted: claim released by staff")
    )
    return int(result.rowcount or 0)
