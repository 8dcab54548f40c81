"""Staff accounts of the console: create, change, remove, list, and log in with a lockout.

Five failed logins for one account from one address within LOCK_FOR lock that pair for
LOCK_FOR; the counts live in the database (``login_failures``), so every console process sees
them. The caller owns the transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.models import LoginFailure, StaffAccount
from kb.passwords import (
    PasswordError,
    check_strength,
    hash_password,
    spend_verify_time,
    verify_password,
)
from kb.views import NotFoundError, RepositoryError
from nlu.vocabulary.canonical import REPLY_LANGUAGES, is_region
from nlu.vocabulary.contacts import normalize_email

ROLES: Final = ("admin", "delegate")
LOCK_AFTER: Final = 5
LOCK_FOR: Final = timedelta(minutes=15)


class StaffError(RepositoryError):
    """An account the console cannot hold: bad e-mail, role, region, language or password."""


class StaffExistsError(StaffError):
    """An account with this e-mail address exists already."""


@dataclass(frozen=True)
class StaffView:
    """A staff account, without its password hash."""

    id: int
    email: str
    role: str
    region: str | None
    language: str
    active: bool
    created_at: datetime
    #: Changes whenever the password does: a session made before a change no longer matches.
    credential_stamp: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login: the account when it succeeded, else why not (for the logs)."""

    staff: StaffView | None
    #: ok, unknown (no such active account), locked, or wrong (password).
    reason: str
    #: The account that was tried, when there is one (the logs name it by reference).
    staff_id: int | None = None
    #: This failure locked the (account, address) pair.
    locked_now: bool = False


def _view(row: StaffAccount) -> StaffView:
    return StaffView(
        id=row.id,
        email=row.email,
        role=row.role,
        region=row.region,
        language=row.language,
        active=bool(row.active),
        created_at=row.created_at,
        credential_stamp=hashlib.sha256(row.password_hash.encode("ascii")).hexdigest()[:16],
    )


def _utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite gives them back without their zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def normalize_staff_email(text: str) -> str:
    """The address lower-cased; StaffError unless ``text`` is one e-mail address."""
    email = normalize_email(text)
    if email is None or email != text.strip().lower():
        raise StaffError(f"not an e-mail address: {text.strip()!r}")
    return email


def _check_account(role: str, region: str | None, language: str) -> None:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if role == "delegate" and not region:
        raise StaffError("a delegate needs a region (--region CODE)")
    if region is not None and not is_region(region):
        raise StaffError(f"unknown region code {region!r} (docs/contracts.md lists them)")
    if language not in REPLY_LANGUAGES:
        raise StaffError(f"language must be one of {', '.join(REPLY_LANGUAGES)}")


def _check_password(password: str) -> None:
    try:
        check_strength(password)
    except PasswordError as weak:
        raise StaffError(str(weak)) from None


def _row(session: Session, email: str) -> StaffAccount:
    row = session.scalars(
        select(StaffAccount).where(StaffAccount.email == normalize_staff_email(email))
    ).first()
    if row is None:
        raise NotFoundError(f"no staff account {email.strip().lower()!r}")
    return row


def create_staff(
    session: Session,
    *,
    email: str,
    role: str,
    password: str,
    region: str | None = None,
    language: str = "fr",
) -> StaffView:
    """A new active account; StaffExistsError when the address has one already."""
    address = normalize_staff_email(email)
    _check_account(role, region, language)
    _check_password(password)
    if session.scalars(select(StaffAccount.id).where(StaffAccount.email == address)).first():
        raise StaffExistsError(f"a staff account {address!r} exists already")
    row = StaffAccount(
        email=address,
        role=role,
        region=region,
        language=language,
        password_hash=hash_password(password),
        active=True,
    )
    session.add(row)
    session.flush()
    return _view(row)


def set_password(session: Session, *, email: str, password: str) -> StaffView:
    """Replace the account's password and lift its lockouts; NotFoundError when unknown."""
    _check_password(password)
    row = _row(session, email)
    row.password_hash = hash_password(password)
    session.execute(delete(LoginFailure).where(LoginFailure.staff_id == row.id))
    session.flush()
    return _view(row)


def remove_staff(session: Session, *, email: str) -> StaffView:
    """Delete the account (its audit entries stay, by e-mail); NotFoundError when unknown."""
    row = _row(session, email)
    removed = _view(row)
    session.delete(row)
    session.flush()
    return removed


def list_staff(session: Session) -> list[StaffView]:
    """Every account, admins first, then by e-mail address."""
    rows = session.scalars(select(StaffAccount).order_by(StaffAccount.role, StaffAccount.email))
    return [_view(row) for row in rows]


def get_staff(session: Session, *, staff_id: int) -> StaffView | None:
    """The active account with this id, or None."""
    row = session.get(StaffAccount, staff_id)
    return _view(row) if row is not None and row.active else None


def set_language(session: Session, *, staff_id: int, language: str) -> StaffView:
    """Change the account's interface language; StaffError for an unknown language."""
    if language not in REPLY_LANGUAGES:
        raise StaffError(f"language must be one of {', '.join(REPLY_LANGUAGES)}")
    row = session.get(StaffAccount, staff_id)
    if row is None:
        raise NotFoundError(f"no staff account {staff_id}")
    row.language = language
    session.flush()
    return _view(row)


def authenticate(
    session: Session, *, email: str, password: str, address: str, now: datetime
) -> LoginOutcome:
    """Check a login from ``address`` at ``now``, counting a failure against the pair.

    A locked pair is refused even with the right password; an unknown address takes as long
    as a known one.
    """
    try:
        row = _row(session, email)
    except (StaffError, NotFoundError):
        row = None
    if row is None or not row.active:
        spend_verify_time(password)
        return LoginOutcome(None, "unknown")
    if _locked(session, row.id, address, now):
        spend_verify_time(password)
        return LoginOutcome(None, "locked", row.id)
    if not verify_password(password, row.password_hash):
        locked_now = _record_failure(session, row.id, address, now)
        return LoginOutcome(None, "wrong", row.id, locked_now)
    session.execute(
        delete(LoginFailure).where(LoginFailure.staff_id == row.id, LoginFailure.address == address)
    )
    return LoginOutcome(_view(row), "ok", row.id)


def _failures(session: Session, staff_id: int, address: str) -> LoginFailure | None:
    return session.scalars(
        select(LoginFailure)
        .where(LoginFailure.staff_id == staff_id, LoginFailure.address == address)
        .with_for_update()
    ).first()


def _locked(session: Session, staff_id: int, address: str, now: datetime) -> bool:
    row = _failures(session, staff_id, address)
    return row is not None and row.locked_until is not None and _utc(row.locked_until) > now


def _record_failure(session: Session, staff_id: int, address: str, now: datetime) -> bool:
    """Count one failure for the pair; True when it locks the pair."""
    row = _failures(session, staff_id, address)
    if row is None:
        try:
            with session.begin_nested():
                session.add(
                    LoginFailure(staff_id=staff_id, address=address, failures=1, first_at=now)
                )
            return LOCK_AFTER <= 1
        except IntegrityError:  # another process counted this pair's first failure meanwhile
            row = _failures(session, staff_id, address)
            if row is None:
                raise
    lock_ended = row.locked_until is not None and _utc(row.locked_until) <= now
    if lock_ended or _utc(row.first_at) <= now - LOCK_FOR:
        row.failures, row.first_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= LOCK_AFTER:
        row.failures, row.first_at, row.locked_until = 0, now, now + LOCK_FOR
    session.flush()
    return row.locked_until is not None
