"""The account page: each staff member chooses the console's language, stored on the account
(audited) and used on every device, before the browser's cookie; Arabic right to left."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from kb.models import AuditEntry
from kb.staff import StaffView, get_staff
from tests.console.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DELEGATE_EMAIL,
    DELEGATE_PASSWORD,
    Browser,
    page_token,
    sign_in,
)


def signed_in(browser: Browser, email: str, password: str) -> TestClient:
    client = browser()
    assert sign_in(client, email, password).status_code == 303
    return client


def test_the_account_page_shows_the_account_and_its_language(browser: Browser) -> None:
    client = signed_in(browser, DELEGATE_EMAIL, DELEGATE_PASSWORD)
    page = client.get("/profile")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text and "حسابي" in page.text
    assert DELEGATE_EMAIL in page.text and "souss-massa" in page.text
    assert 'value="ar" checked' in page.text
    assert 'href="/profile"' in client.get("/").text


def test_a_chosen_language_is_stored_audited_and_applied_everywhere(
    engine: Engine, accounts: dict[str, StaffView], browser: Browser
) -> None:
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert '<html lang="fr" dir="ltr">' in client.get("/").text
    token = page_token(client, "/profile")
    response = client.post("/profile", data={"language": "ar", "csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/profile?saved=1"
    saved = client.get(response.headers["location"])
    assert '<html lang="ar" dir="rtl">' in saved.text and "تم حفظ اللغة." in saved.text
    with Session(engine) as session:
        stored = get_staff(session, staff_id=accounts["admin"].id)
        (entry,) = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "staff.language")
        ).all()
    assert stored is not None and stored.language == "ar"
    assert entry.actor == ADMIN_EMAIL and entry.details == '{"language": "ar"}'
    elsewhere = browser()  # another device: the login page is French, the account Arabic
    assert '<html lang="fr"' in elsewhere.get("/login").text
    assert sign_in(elsewhere, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    assert '<html lang="ar" dir="rtl">' in elsewhere.get("/").text


def test_the_account_language_wins_over_the_browsers_cookie(browser: Browser) -> None:
    client = browser()
    client.get("/login?lang=en")  # this browser's cookie says English
    assert sign_in(client, DELEGATE_EMAIL, DELEGATE_PASSWORD).status_code == 303
    assert '<html lang="ar" dir="rtl">' in client.get("/").text  # the account says Arabic
    token = page_token(client, "/profile")
    client.post("/profile", data={"language": "fr", "csrf_token": token})
    assert '<html lang="fr" dir="ltr">' in client.get("/").text


def test_bad_language_missing_token_or_no_session_change_nothing(
    engine: Engine, accounts: dict[str, StaffView], browser: Browser
) -> None:
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    token = page_token(client, "/profile")
    assert client.post("/profile", data={"language": "es", "csrf_token": token}).status_code == 400
    assert client.post("/profile", data={"language": "ar"}).status_code == 403
    visitor = browser()
    assert visitor.get("/profile").status_code == 303
    token = page_token(visitor, "/login")
    assert visitor.post("/profile", data={"language": "ar", "csrf_token": token}).status_code == 401
    with Session(engine) as session:
        stored = get_staff(session, staff_id=accounts["admin"].id)
    assert stored is not None and stored.language == "fr"
