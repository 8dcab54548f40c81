"""kb.staff, kb.passwords and kb.audit: accounts, scrypt hashes, the lockout, the audit log."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kb import audit, passwords, staff
from kb.migrate import upgrade_to_head
from kb.models import AuditEntry, LoginFailure, StaffAccount
from kb.privacy import erase_user_data
from kb.session import make_engine
from kb.users import get_or_create_user
from kb.views import NotFoundError
from tests.support.db_servers import postgres_server

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)
PASSWORD = "sel-et-menthe-2026"
HERE, THERE = "192.0.2.10", "198.51.100.7"


@pytest.fixture()
def admin(session: Session) -> staff.StaffView:
    account = staff.create_staff(
        session, email=" Nadia.Admin@ASMEX.ma ", role="admin", password=PASSWORD
    )
    session.commit()
    return account


def login(session: Session, password: str, *, address: str = HERE, at: datetime = NOW):
    outcome = staff.authenticate(
        session, email="nadia.admin@asmex.ma", password=password, address=address, now=at
    )
    session.commit()
    return outcome


def test_a_hash_is_scrypt_salted_and_verifies_only_its_password() -> None:
    first, second = passwords.hash_password(PASSWORD), passwords.hash_password(PASSWORD)
    assert first.startswith("scrypt$32768$8$1$") and first != second
    assert PASSWORD not in first
    assert passwords.verify_password(PASSWORD, first)
    assert not passwords.verify_password(PASSWORD + "x", first)
    assert not passwords.verify_password("كلمة السر الطويلة جدا", first)
    for broken in ("", "scrypt$1$2", "bcrypt$x$y$z$a$b", first.replace("$8$", "$x$")):
        assert not passwords.verify_password(PASSWORD, broken)


def test_an_arabic_password_hashes_and_verifies() -> None:
    secret = "كلمة السر ديالي مزيانة"
    assert passwords.verify_password(secret, passwords.hash_password(secret))


def test_accounts_are_stored_lower_cased_without_the_password(
    session: Session, admin: staff.StaffView
) -> None:
    assert admin.email == "nadia.admin@asmex.ma" and admin.is_admin
    row = session.scalars(select(StaffAccount)).one()
    assert PASSWORD not in row.password_hash and row.language == "fr"
    with pytest.raises(staff.StaffExistsError):
        staff.create_staff(session, email="NADIA.ADMIN@asmex.ma", role="admin", password=PASSWORD)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"email": "pas une adresse"}, "e-mail"),
        ({"email": "a@b.ma c@d.ma"}, "e-mail"),
        ({"role": "root"}, "role"),
        ({"role": "delegate"}, "region"),
        ({"role": "delegate", "region": "atlantis"}, "region"),
        ({"language": "es"}, "language"),
        ({"password": "court"}, "12"),
    ],
)
def test_bad_accounts_are_refused(session: Session, values: dict, message: str) -> None:
    account = {"email": "karim@asmex.ma", "role": "admin", "password": PASSWORD, **values}
    with pytest.raises(staff.StaffError, match=message):
        staff.create_staff(session, **account)


def test_set_password_remove_and_list(session: Session, admin: staff.StaffView) -> None:
    delegate = staff.create_staff(
        session,
        email="khalid@asmex.ma",
        role="delegate",
        region="souss-massa",
        password="tifawin-agadir-2026",
        language="ar",
    )
    assert [a.email for a in staff.list_staff(session)] == [admin.email, delegate.email]
    changed = staff.set_password(session, email="Nadia.Admin@asmex.ma", password="nouveau-mot-2026")
    assert changed.credential_stamp != admin.credential_stamp
    assert login(session, PASSWORD).staff is None
    assert login(session, "nouveau-mot-2026").staff == changed
    staff.remove_staff(session, email="khalid@asmex.ma")
    assert [a.email for a in staff.list_staff(session)] == [admin.email]
    with pytest.raises(NotFoundError):
        staff.remove_staff(session, email="khalid@asmex.ma")
    assert staff.set_language(session, staff_id=admin.id, language="ar").language == "ar"


def test_five_failures_lock_the_account_and_address_for_15_minutes(
    session: Session, admin: staff.StaffView
) -> None:
    outcomes = [login(session, "mauvais", at=NOW + timedelta(minutes=i)) for i in range(5)]
    assert [o.reason for o in outcomes] == ["wrong"] * 5
    assert [o.locked_now for o in outcomes] == [False] * 4 + [True]
    locked_at = NOW + timedelta(minutes=4)
    assert login(session, PASSWORD, at=locked_at + timedelta(minutes=14)).reason == "locked"
    assert login(session, PASSWORD, address=THERE, at=locked_at).reason == "ok"
    assert login(session, PASSWORD, at=locked_at + timedelta(minutes=15)).reason == "ok"


def test_failures_spread_over_more_than_15_minutes_do_not_lock(
    session: Session, admin: staff.StaffView
) -> None:
    for minutes in (0, 5, 10, 16, 17):
        assert not login(session, "mauvais", at=NOW + timedelta(minutes=minutes)).locked_now
    assert login(session, PASSWORD, at=NOW + timedelta(minutes=18)).reason == "ok"


def test_a_success_resets_the_count_and_set_password_lifts_a_lock(
    session: Session, admin: staff.StaffView
) -> None:
    for _ in range(4):
        login(session, "mauvais")
    assert login(session, PASSWORD).reason == "ok"
    assert session.scalars(select(LoginFailure)).all() == []
    for _ in range(5):
        login(session, "mauvais")
    assert login(session, PASSWORD).reason == "locked"
    staff.set_password(session, email=admin.email, password="encore-un-autre-2026")
    assert login(session, "encore-un-autre-2026").reason == "ok"


def test_unknown_and_inactive_accounts_cannot_log_in(
    session: Session, admin: staff.StaffView
) -> None:
    unknown = staff.authenticate(
        session, email="personne@asmex.ma", password=PASSWORD, address=HERE, now=NOW
    )
    assert unknown == staff.LoginOutcome(None, "unknown")
    session.get(StaffAccount, admin.id).active = False  # type: ignore[union-attr]
    assert login(session, PASSWORD).reason == "unknown"
    assert staff.get_staff(session, staff_id=admin.id) is None


def test_audit_entries_hold_no_personal_data(session: Session, admin: staff.StaffView) -> None:
    actor = audit.Actor(admin.id, admin.email)
    audit.record(session, actor=actor, action="staff.add", target_kind="staff", target_id=7)
    audit.record(session, actor=audit.CLI_ACTOR, action="staff.remove", details={"role": "admin"})
    entries = audit.list_entries(session)
    assert [(e.actor, e.action) for e in entries] == [
        ("cli", "staff.remove"),
        (admin.email, "staff.add"),
    ]
    assert entries[0].details == {"role": "admin"} and entries[1].target_id == "7"
    assert audit.count_entries(session) == 2
    for details in ({"email": "x@y.ma"}, {"Phone": "0612345678"}, {"role": ["a"]}):
        with pytest.raises(ValueError):
            audit.record(session, actor=actor, action="staff.add", details=details)
    with pytest.raises(ValueError, match="kind"):
        audit.record(session, actor=actor, action="DROP TABLE")


def test_removing_an_account_keeps_its_audit_entries(
    session: Session, admin: staff.StaffView
) -> None:
    audit.record(session, actor=audit.Actor(admin.id, admin.email), action="staff.language")
    staff.remove_staff(session, email=admin.email)
    session.commit()
    entry = session.scalars(select(AuditEntry)).one()
    assert (entry.staff_id, entry.actor) == (None, admin.email)


def test_erasing_a_member_leaves_staff_tables_alone(
    engine: Engine, session: Session, admin: staff.StaffView
) -> None:
    get_or_create_user(session, channel="telegram", channel_user_id="42")
    audit.record(session, actor=audit.CLI_ACTOR, action="staff.add", target_kind="staff")
    login(session, "mauvais")
    report = erase_user_data(session, channel="telegram", channel_user_id="42", today=NOW.date())
    session.commit()
    assert report.user_found
    assert not {"staff_accounts", "login_failures", "audit_log"} & set(report.deleted)
    assert len(staff.list_staff(session)) == 1 and audit.count_entries(session) == 1


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres_server() as pg:
        pg.create_database("staff")
        url = pg.url("staff")
        upgrade_to_head(url)
        yield url


def test_on_postgresql_concurrent_failures_are_all_counted(postgres_url: str) -> None:
    """Five wrong passwords at once (five console workers) lock the pair: none is lost."""
    engine = make_engine(postgres_url)
    with Session(engine) as session, session.begin():
        staff.create_staff(session, email="nadia.admin@asmex.ma", role="admin", password=PASSWORD)
    barrier = threading.Barrier(5)

    def wrong_password() -> staff.LoginOutcome:
        with Session(engine) as session, session.begin():
            barrier.wait(timeout=30)
            return staff.authenticate(
                session, email="nadia.admin@asmex.ma", password="mauvais", address=HERE, now=NOW
            )

    with ThreadPoolExecutor(5) as pool:
        outcomes = list(pool.map(lambda _: wrong_password(), range(5)))
    assert sorted(o.locked_now for o in outcomes) == [False] * 4 + [True]
    with Session(engine) as session, session.begin():
        assert login(session, PASSWORD).reason == "locked"
    engine.dispose()
