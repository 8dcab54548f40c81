"""Rows and fakes shared by the alert and reminder tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from kb.models import AlertSubscription, Event, Registration, User
from outbound.message import OutboundMessage

TODAY = date(2026, 1, 15)
#: When the subscriptions of the tests start; events are created a day later unless said.
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)


def add_user(
    session: Session,
    chat: str,
    *,
    channel: str = "telegram",
    language: str | None = None,
    hint: str | None = None,
) -> User:
    """A user of ``channel`` whose id there is ``chat``."""
    user = User(channel=channel, channel_user_id=chat, language=language, language_hint=hint)
    session.add(user)
    session.flush()
    return user


def subscribe(
    session: Session,
    user: User,
    *,
    country: str | None = None,
    sector: str | None = None,
    event_type: str | None = None,
    active: bool = True,
    at: datetime = T0,
) -> AlertSubscription:
    """An alert subscription created at ``at``."""
    row = AlertSubscription(
        user_id=user.id,
        country=country,
        sector=sector,
        event_type=event_type,
        active=active,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def add_event(
    session: Session,
    slug: str,
    *,
    country: str = "SN",
    event_type: str = "mission",
    sectors: tuple[str, ...] = ("agrifood",),
    start: date = TODAY + timedelta(days=60),
    days: int = 3,
    status: str = "open",
    deadline: date | None = None,
    sample: bool = False,
    at: datetime = T0 + timedelta(days=1),
) -> Event:
    """An event created at ``at`` (by default after the subscriptions)."""
    row = Event(
        slug=slug,
        type=event_type,
        title_fr=f"Mission {slug}",
        title_ar=f"بعثة {slug}",
        title_en=f"{slug} mission",
        country=country,
        city="Dakar",
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        sectors=list(sectors),
        organizer="ASMEX",
        registration_deadline=deadline,
        status=status,
        sample=sample,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def register(
    session: Session, user: User | None, event: Event, *, status: str = "confirmed"
) -> None:
    """A registration of ``user`` (None: anonymised) to ``event``."""
    session.add(
        Registration(
            event_id=event.id,
            user_id=user.id if user else None,
            company_name="Atlas Export",
            status=status,
        )
    )
    session.flush()


class Crash(BaseException):
    """The process dying mid-run (not an Exception: nothing may catch it as a failure)."""


@dataclass
class FakeNotifier:
    """A Notifier recording what it sends, at what (loop) time, failing as scripted."""

    channel: str = "telegram"
    max_rate_per_second: float = 30.0
    per_recipient_interval: float = 1.0
    #: Per recipient, exceptions raised by the next sends to it, in order.
    script: dict[str, list[BaseException]] = field(default_factory=dict)
    #: Raise Crash on the send after this many successful sends: before delivering it, or
    #: after (the process dies between the platform's answer and the database update).
    crash_after: int | None = None
    crash_delivered: bool = False
    sent: list[tuple[float, OutboundMessage]] = field(default_factory=list)
    attempts: list[tuple[float, str]] = field(default_factory=list)
    closed: bool = False

    async def send(self, message: OutboundMessage) -> None:
        now = asyncio.get_running_loop().time()
        self.attempts.append((now, message.recipient))
        crash = self.crash_after is not None and len(self.sent) >= self.crash_after
        if crash and not self.crash_delivered:
            raise Crash
        pending = self.script.get(message.recipient)
        if pending:
            raise pending.pop(0)
        self.sent.append((now, message))
        if crash:
            raise Crash

    async def close(self) -> None:
        self.closed = True

    @property
    def keys(self) -> list[str]:
        """The keys ("kind:user:event") of the messages sent, in order."""
        return [m.key for _, m in self.sent]
