"""The staff account commands: add-staff, set-password, remove-staff, list-staff."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from admin import cli as admin
from admin.staff import read_password
from kb import audit
from kb.models import StaffAccount
from kb.session import make_engine
from kb.staff import authenticate

PASSWORD = "sel-et-menthe-2026"


class Run:
    """Result of one CLI call."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run(db_url: str, *argv: str, stdin: str = "") -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = admin.main(["--database-url", db_url, *argv], out=out, err=err, stdin=io.StringIO(stdin))
    return Run(code, out.getvalue(), err.getvalue())


def logs_in(db_url: str, email: str, password: str) -> bool:
    engine = make_engine(db_url)
    with Session(engine) as session, session.begin():
        outcome = authenticate(
            session,
            email=email,
            password=password,
            address="127.0.0.1",
            now=datetime.now(timezone.utc),
        )
    engine.dispose()
    return outcome.staff is not None


def audit_log(db_url: str) -> list[tuple[str, str, str | None]]:
    engine = make_engine(db_url)
    with Session(engine) as session:
        entries = audit.list_entries(session)
    engine.dispose()
    return [(e.actor, e.action, e.target_kind) for e in reversed(entries)]


def test_add_staff_creates_the_schema_of_a_new_database(db_url: str) -> None:
    result = run(db_url, "add-staff", "Nadia@ASMEX.ma", "--role", "admin", stdin=PASSWORD + "\n")
    assert result.code == 0, result.err
    assert "nadia@asmex.ma created (admin)" in result.out
    engine = make_engine(db_url)
    assert {"staff_accounts", "events", "audit_log"} <= set(inspect(engine).get_table_names())
    with Session(engine) as session:
        stored = session.scalars(select(StaffAccount.password_hash)).one()
    engine.dispose()
    assert PASSWORD not in stored
    assert logs_in(db_url, "nadia@asmex.ma", PASSWORD)
    assert audit_log(db_url) == [("cli", "staff.add", "staff")]


def test_only_the_first_line_is_the_password_without_its_newline(db_url: str) -> None:
    stdin = "كلمة سر طويلة بما يكفي\r\nsecond line ignored\n"
    assert run(db_url, "add-staff", "amina@asmex.ma", "--role", "admin", stdin=stdin).code == 0
    assert logs_in(db_url, "amina@asmex.ma", "كلمة سر طويلة بما يكفي")
    assert not logs_in(db_url, "amina@asmex.ma", "كلمة سر طويلة بما يكفي\r")


@pytest.mark.parametrize("stdin", ["court\n", "onze-chars\n", ""])
def test_a_short_or_missing_password_is_refused(db_url: str, stdin: str) -> None:
    result = run(db_url, "add-staff", "karim@asmex.ma", "--role", "admin", stdin=stdin)
    assert result.code == 2
    assert ("at least 12 characters" if stdin else "no password") in result.err
    engine = make_engine(db_url)
    assert inspect(engine).get_table_names() == []  # refused before anything was written
    engine.dispose()


def test_an_existing_email_exits_1_and_names_set_password(db_url: str) -> None:
    assert run(db_url, "add-staff", "nadia@asmex.ma", "--role", "admin", stdin=PASSWORD).code == 0
    again = run(
        db_url, "add-staff", "NADIA@asmex.ma", "--role", "admin", stdin="autre-mot-de-passe"
    )
    assert again.code == 1 and "set-password" in again.err
    assert logs_in(db_url, "nadia@asmex.ma", PASSWORD)


def test_a_delegate_needs_a_known_region(db_url: str) -> None:
    missing = run(db_url, "add-staff", "khalid@asmex.ma", "--role", "delegate", stdin=PASSWORD)
    assert missing.code == 2 and "region" in missing.err
    unknown = run(
        db_url, "add-staff", "khalid@asmex.ma", "--role", "delegate", "--region", "agadir",
        stdin=PASSWORD,
    )  # fmt: skip
    assert unknown.code == 2 and "region" in unknown.err
    ok = run(
        db_url, "add-staff", "khalid@asmex.ma", "--role", "delegate", "--region", "souss-massa",
        "--language", "ar", stdin=PASSWORD,
    )  # fmt: skip
    assert ok.code == 0 and "delegate souss-massa" in ok.out


def test_set_password_remove_staff_and_list_staff(db_url: str) -> None:
    run(db_url, "add-staff", "nadia@asmex.ma", "--role", "admin", stdin=PASSWORD)
    run(
        db_url, "add-staff", "khalid@asmex.ma", "--role", "delegate", "--region", "souss-massa",
        stdin="tifawin-agadir-2026",
    )  # fmt: skip
    listed = run(db_url, "list-staff")
    assert listed.code == 0
    lines = listed.out.splitlines()
    assert lines[0].startswith("nadia@asmex.ma") and "admin" in lines[0]
    assert lines[1].startswith("khalid@asmex.ma") and "delegate souss-massa" in lines[1]
    assert "scrypt" not in listed.out and PASSWORD not in listed.out

    changed = run(db_url, "set-password", "nadia@asmex.ma", stdin="nouveau-mot-2026\n")
    assert changed.code == 0, changed.err
    assert logs_in(db_url, "nadia@asmex.ma", "nouveau-mot-2026")
    assert not logs_in(db_url, "nadia@asmex.ma", PASSWORD)
    assert run(db_url, "set-password", "nadia@asmex.ma", stdin="court").code == 2

    assert run(db_url, "remove-staff", "khalid@asmex.ma").code == 0
    assert "khalid" not in run(db_url, "list-staff").out
    gone = run(db_url, "remove-staff", "khalid@asmex.ma")
    assert gone.code == 1 and "no staff account" in gone.err
    assert run(db_url, "set-password", "personne@asmex.ma", stdin=PASSWORD).code == 1
    assert [action for _, action, _ in audit_log(db_url)] == [
        "staff.add",
        "staff.add",
        "staff.set_password",
        "staff.remove",
    ]


def test_list_staff_on_a_database_without_accounts(db_url: str) -> None:
    assert run(db_url, "init-db", "--kb-dir", "/nonexistent-kb").code in (0, 2)
    result = run(db_url, "list-staff")
    assert result.code == 0 and "add-staff" in result.out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_password_is_asked_twice() -> None:
    answers = iter([PASSWORD, PASSWORD])
    assert read_password(Terminal(), lambda _prompt: next(answers)) == PASSWORD
    differ = iter([PASSWORD, PASSWORD + "!"])
    with pytest.raises(admin.CommandError, match="differ"):
        read_password(Terminal(), lambda _prompt: next(differ))
