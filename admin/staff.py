"""add-staff, set-password, remove-staff, list-staff: the staff console's accounts.

A password is read from the first line of standard input (its newline stripped), or asked
twice when standard input is a terminal; it is never an argument, so it stays out of the
shell's history and the process list. Every change is written to the audit log by "cli".
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from sqlalchemy.orm import Session

from admin.common import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, CommandError, open_database
from kb import audit
from kb.passwords import PasswordError, check_strength
from kb.staff import (
    ROLES,
    StaffError,
    StaffExistsError,
    StaffView,
    create_staff,
    list_staff,
    remove_staff,
    set_password,
)
from kb.views import NotFoundError

#: Asks for a password on a terminal (getpass.getpass; tests give another).
Prompt = Callable[[str], str]


def read_password(stdin: TextIO, prompt: Prompt = getpass.getpass) -> str:
    """The password: asked twice on a terminal, else the first line of ``stdin``; a
    CommandError when it is missing or too short."""
    if stdin.isatty():
        first = prompt("Password (12 characters or more): ")
        if prompt("Same password again: ") != first:
            raise CommandError("the two passwords differ", EXIT_INVALID)
    else:
        line = stdin.readline()
        if not line:
            raise CommandError("no password on standard input", EXIT_INVALID)
        first = line.rstrip("\r\n")
    try:
        check_strength(first)
    except PasswordError as weak:
        raise CommandError(str(weak), EXIT_INVALID) from None
    return first


def _audit(session: Session, action: str, account: StaffView) -> None:
    audit.record(
        session,
        actor=audit.CLI_ACTOR,
        action=action,
        target_kind="staff",
        target_id=account.id,
        details={"role": account.role, "region": account.region},
    )


def cmd_add_staff(args: argparse.Namespace, out: TextIO) -> int:
    """Create an account (and the schema of a new database)."""
    password = read_password(args.stdin)
    with _transaction(args, create=True) as session:
        account = create_staff(
            session,
            email=args.email,
            role=args.role,
            region=args.region,
            password=password,
            language=args.language,
        )
        _audit(session, "staff.add", account)
    out.write(f"staff account {account.email} created ({_role(account)})\n")
    return EXIT_OK


def cmd_set_password(args: argparse.Namespace, out: TextIO) -> int:
    """Give an account a new password (its lockouts are lifted)."""
    password = read_password(args.stdin)
    with _transaction(args) as session:
        account = set_password(session, email=args.email, password=password)
        _audit(session, "staff.set_password", account)
    out.write(f"password of {account.email} changed\n")
    return EXIT_OK


def cmd_remove_staff(args: argparse.Namespace, out: TextIO) -> int:
    """Delete an account; its entries in the audit log stay."""
    with _transaction(args) as session:
        account = remove_staff(session, email=args.email)
        _audit(session, "staff.remove", account)
    out.write(f"staff account {account.email} removed\n")
    return EXIT_OK


def cmd_list_staff(args: argparse.Namespace, out: TextIO) -> int:
    """Print the accounts: e-mail, role and region, language, active, created (no hashes)."""
    with _transaction(args) as session:
        accounts = list_staff(session)
    if not accounts:
        out.write("no staff accounts (add one: add-staff EMAIL --role admin)\n")
        return EXIT_OK
    width = max(len(a.email) for a in accounts)
    for a in accounts:
        state = "active" if a.active else "inactive"
        created = a.created_at.strftime("%Y-%m-%d")
        out.write(f"{a.email:<{width}}  {_role(a):<28}  {a.language}  {state:<8}  {created}\n")
    return EXIT_OK


def _role(account: StaffView) -> str:
    return f"{account.role} {account.region}" if account.region else account.role


@contextmanager
def _transaction(args: argparse.Namespace, *, create: bool = False) -> Iterator[Session]:
    """One transaction on the database; the accounts' errors become one-line CLI errors."""
    engine = open_database(args.database_url, create=create)
    try:
        with Session(engine) as session, session.begin():
            yield session
    except StaffExistsError as exists:
        raise CommandError(f"{exists}; to change its password use set-password") from None
    except NotFoundError as missing:
        raise CommandError(str(missing), EXIT_FAILURE) from None
    except StaffError as refused:
        raise CommandError(str(refused), EXIT_INVALID) from None
    finally:
        engine.dispose()


def add_staff_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """The four commands on the CLI's parser (``add(name, command, help)``)."""
    p = add(
        "add-staff",
        cmd_add_staff,
        "Create a staff console account; the password (12 characters or more) is read from "
        "the first line of standard input, or asked when it is a terminal.",
    )
    p.add_argument("email", metavar="EMAIL")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--region", metavar="CODE", help="a delegate's region, e.g. souss-massa")
    p.add_argument(
        "--language", default="fr", choices=("fr", "ar", "en"), help="interface (default: fr)"
    )
    p = add(
        "set-password",
        cmd_set_password,
        "Change an account's password (read as for add-staff); lifts its login lockouts.",
    )
    p.add_argument("email", metavar="EMAIL")
    p = add("remove-staff", cmd_remove_staff, "Delete a staff account (the audit log keeps it).")
    p.add_argument("email", metavar="EMAIL")
    add("list-staff", cmd_list_staff, "List the staff accounts (never their password hashes).")
