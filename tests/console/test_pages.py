"""The pages: roles, the audit log, the interface language (RTL Arabic), security headers,
and bad input answered with a clear 4xx."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.routing import Route

from console import pages
from console.app import create_app
from console.i18n import LANGUAGES, STRINGS
from core import settings
from kb import audit
from kb.staff import StaffView, get_staff
from tests.console.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DELEGATE_EMAIL,
    DELEGATE_PASSWORD,
    Browser,
    Now,
    console_settings,
    page_token,
    sign_in,
)

ARABIC = re.compile("[\u0600-\u06ff]")


def signed_in(browser: Browser, email: str, password: str):  # type: ignore[no-untyped-def]
    client = browser()
    assert sign_in(client, email, password).status_code == 303
    return client


def test_a_delegate_sees_home_in_arabic_but_not_the_audit_log(browser: Browser) -> None:
    client = signed_in(browser, DELEGATE_EMAIL, DELEGATE_PASSWORD)
    home = client.get("/")
    assert home.status_code == 200
    assert '<html lang="ar" dir="rtl">' in home.text and "لوحة القيادة" in home.text
    assert "souss-massa" in home.text and 'href="/audit"' not in home.text
    refused = client.get("/audit")
    assert refused.status_code == 403 and "لا يمكنك الوصول" in refused.text


def test_an_admin_reads_the_audit_log(
    engine: Engine, accounts: dict[str, StaffView], browser: Browser
) -> None:
    with Session(engine) as session, session.begin():
        audit.record(
            session,
            actor=audit.CLI_ACTOR,
            action="staff.add",
            target_kind="staff",
            target_id=accounts["delegate"].id,
            details={"role": "delegate", "region": "souss-massa"},
        )
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert 'href="/audit"' in client.get("/").text
    page = client.get("/audit")
    assert page.status_code == 200
    assert "staff.add" in page.text and "souss-massa" in page.text and "cli" in page.text
    assert client.get("/audit?page=2").status_code == 200
    for bad in ("abc", "0", "-1", "٣", "99999999999"):
        assert client.get(f"/audit?page={bad}").status_code == 400


def test_the_audit_log_pages_by_50(engine: Engine, browser: Browser) -> None:
    with Session(engine) as session, session.begin():
        for number in range(51):
            audit.record(session, actor=audit.CLI_ACTOR, action="staff.add", target_id=number)
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    first, second = client.get("/audit").text, client.get("/audit?page=2").text
    assert first.count("<tr><td") == 50 and 'href="/audit?page=2"' in first
    assert second.count("<tr><td") == 1 and 'href="/audit?page=1"' in second


def test_the_login_page_in_each_language(browser: Browser) -> None:
    client = browser()
    assert '<html lang="fr" dir="ltr">' in client.get("/login").text
    arabic = client.get("/login?lang=ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text and "تسجيل الدخول" in arabic.text
    assert '<html lang="ar" dir="rtl">' in client.get("/login").text  # remembered (cookie)
    assert "Sign in" in client.get("/login?lang=en").text
    assert '<html lang="en"' in client.get("/login?lang=xx").text  # unknown: unchanged


def test_switching_language_is_stored_on_the_account_and_audited(
    engine: Engine, accounts: dict[str, StaffView], browser: Browser
) -> None:
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    response = client.post(
        "/language",
        data={"language": "ar", "next": "/audit", "csrf_token": page_token(client, "/")},
    )
    assert response.status_code == 303 and response.headers["location"] == "/audit"
    page = client.get("/audit")
    assert 'dir="rtl"' in page.text and "staff.language" in page.text
    with Session(engine) as session:
        stored = get_staff(session, staff_id=accounts["admin"].id)
    assert stored is not None and stored.language == "ar"
    other_browser = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert 'lang="ar"' in other_browser.get("/").text
    bad = client.post("/language", data={"language": "es", "csrf_token": page_token(client, "/")})
    assert bad.status_code == 400


def test_security_headers(browser: Browser) -> None:
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    for response in (client.get("/"), client.get("/login"), client.get("/audit?page=x")):
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
    css = client.get("/static/console.css")
    assert css.status_code == 200 and "no-store" not in css.headers.get("cache-control", "")
    assert "http" not in client.get("/").text.split("<main>")[0].replace("http-equiv", "")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("PUT", "/login", 405), ("GET", "/static/../kb/staff.py", 404)],
)
def test_bad_requests_get_a_clear_4xx(
    browser: Browser, method: str, path: str, status: int
) -> None:
    response = browser().request(method, path)
    assert response.status_code == status and "<html" in response.text


def test_a_body_too_large_is_413(browser: Browser) -> None:
    client = browser()
    data = {"csrf_token": page_token(client), "email": "a" * 100_000, "password": "x"}
    assert client.post("/login", data=data).status_code == 413


def test_a_database_without_the_schema_answers_503(
    db_url: str, browser: Browser, now: Now, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    client = browser(target=create_app(console_settings(empty), now=now))
    data = {"csrf_token": page_token(client), "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    response = client.post("/login", data=data)
    assert response.status_code == 503 and "Base de données indisponible" in response.text


def test_the_console_needs_its_secret(db_url: str) -> None:
    for secret in ("", "changeme"):
        with pytest.raises(settings.SettingsError, match="CONSOLE_SECRET"):
            create_app(settings.load({"DATABASE_URL": db_url, "CONSOLE_SECRET": secret}))


def test_an_unguarded_route_stops_the_app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def open_door(_request):  # type: ignore[no-untyped-def]
        raise AssertionError("never served")

    routes = pages.routes()
    monkeypatch.setattr(pages, "routes", lambda: [*routes, Route("/open", open_door)])
    with pytest.raises(RuntimeError, match="/open is not guarded"):
        create_app(console_settings(db_url))


def test_every_string_exists_in_french_arabic_and_english() -> None:
    for key, texts in STRINGS.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[language].strip() for language in LANGUAGES), key
        assert ARABIC.search(texts["ar"]) and not ARABIC.search(texts["fr"] + texts["en"]), key


def test_every_page_route_is_guarded(app: Starlette) -> None:
    routes = [r for r in app.routes if isinstance(r, Route)]
    assert routes and all(getattr(r.endpoint, "console_guard", False) for r in routes)
