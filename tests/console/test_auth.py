"""Signing in and out: redirects, cookies, CSRF on every state-changing request, lockout."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.routing import Route

from console.app import create_app
from kb.staff import remove_staff, set_password
from tests.console.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    THERE,
    Browser,
    Now,
    console_settings,
    page_token,
    session_cookie,
    sign_in,
)


@pytest.mark.parametrize(
    ("path", "location"),
    [("/", "/login?next=/"), ("/audit?page=2", "/login?next=/audit%3Fpage%3D2")],
)
def test_without_a_session_pages_redirect_to_login(
    browser: Browser, path: str, location: str
) -> None:
    response = browser().get(path)
    assert response.status_code == 303
    assert response.headers["location"] == location


def test_login_answers_303_with_an_httponly_lax_session_cookie(browser: Browser) -> None:
    client = browser()
    response = sign_in(client, "  Nadia.Admin@ASMEX.ma ", ADMIN_PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = session_cookie(response)
    assert cookie is not None
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax"} <= flags and "secure" not in flags
    home = client.get("/")
    assert home.status_code == 200 and ADMIN_EMAIL in home.text


def test_secure_cookies_when_the_setting_is_on(
    db_url: str, engine: Engine, accounts: object, now: Now, browser: Browser
) -> None:
    app = create_app(console_settings(db_url, CONSOLE_SECURE_COOKIES="true"), now=now)
    client = browser(target=app)
    client.base_url = client.base_url.copy_with(scheme="https")
    response = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 2 and all("secure" in c.lower() for c in cookies)


@pytest.mark.parametrize(
    ("next_page", "location"),
    [
        ("/audit", "/audit"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_login_goes_to_the_next_page_on_this_site_only(
    browser: Browser, next_page: str, location: str
) -> None:
    response = sign_in(browser(), ADMIN_EMAIL, ADMIN_PASSWORD, next=next_page)
    assert response.status_code == 303 and response.headers["location"] == location


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (ADMIN_EMAIL, "pas-le-bon-mot"),
        ("personne@asmex.ma", ADMIN_PASSWORD),
        ("pas une adresse", ADMIN_PASSWORD),
        (ADMIN_EMAIL, "x" * 5000),
    ],
)
def test_a_failed_login_shows_the_form_again_without_a_session(
    browser: Browser, email: str, password: str
) -> None:
    client = browser()
    response = sign_in(client, email, password)
    assert response.status_code == 200
    assert (
        'name="password"' in response.text and "Adresse ou mot de passe incorrect" in response.text
    )
    assert session_cookie(response) is None
    assert client.get("/").status_code == 303


def test_an_empty_form_is_a_clear_400(browser: Browser) -> None:
    client = browser()
    response = client.post("/login", data={"csrf_token": page_token(client)})
    assert response.status_code == 400 and "Indiquez votre adresse" in response.text


def _post_routes(app: Starlette) -> list[str]:
    return [
        route.path
        for route in app.routes
        if isinstance(route, Route) and route.methods and "POST" in route.methods
    ]


def test_every_post_without_a_valid_csrf_token_is_403(app: Starlette, browser: Browser) -> None:
    client = browser()
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    paths = _post_routes(app)
    assert {"/login", "/logout", "/language"} <= set(paths)
    other = browser(THERE)
    stranger_token = page_token(other)  # valid for the other browser's cookie only
    for path in paths:
        form = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "language": "en"}
        for token in (None, "", "0" * 64, stranger_token):
            data = form if token is None else {**form, "csrf_token": token}
            response = client.post(path, data=data)
            assert response.status_code == 403, (path, token)
        assert client.post(path, json={"csrf_token": page_token(client, "/")}).status_code == 403
    assert client.get("/").status_code == 200  # logout refused: still signed in


def test_a_token_without_its_cookie_is_refused(browser: Browser) -> None:
    client = browser()
    token = page_token(client)
    client.cookies.clear()
    data = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 403


def test_logout_ends_the_session(browser: Browser) -> None:
    client = browser()
    sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    response = client.post("/logout", data={"csrf_token": page_token(client, "/")})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/").status_code == 303


def test_a_new_password_or_a_removed_account_ends_sessions(
    engine: Engine, browser: Browser
) -> None:
    client = browser()
    sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    with Session(engine) as session, session.begin():
        set_password(session, email=ADMIN_EMAIL, password="un-nouveau-mot-2026")
    assert client.get("/").status_code == 303
    sign_in(client, ADMIN_EMAIL, "un-nouveau-mot-2026")
    assert client.get("/").status_code == 200
    with Session(engine) as session, session.begin():
        remove_staff(session, email=ADMIN_EMAIL)
    assert client.get("/").status_code == 303


def test_five_failures_lock_the_account_and_address_for_15_minutes(
    browser: Browser, now: Now
) -> None:
    client = browser()
    for _ in range(5):
        assert session_cookie(sign_in(client, ADMIN_EMAIL, "pas-le-bon-mot")) is None
        now.advance(seconds=30)
    refused = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert refused.status_code == 200 and session_cookie(refused) is None
    assert sign_in(browser(THERE), ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    now.advance(minutes=14)
    assert session_cookie(sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)) is None
    now.advance(minutes=1)
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303


def test_the_lockout_holds_across_console_processes(
    db_url: str, engine: Engine, accounts: object, now: Now, browser: Browser
) -> None:
    first = browser()
    for _ in range(5):
        sign_in(first, ADMIN_EMAIL, "pas-le-bon-mot")
    second_process = create_app(console_settings(db_url), now=now)
    response = sign_in(browser(target=second_process), ADMIN_EMAIL, ADMIN_PASSWORD)
    assert response.status_code == 200 and session_cookie(response) is None


def test_logs_name_no_email_address_or_password(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    client = browser(THERE)
    sign_in(client, ADMIN_EMAIL, "pas-le-bon-mot")
    sign_in(client, "personne@asmex.ma", "pas-le-bon-mot")
    sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "login refused (wrong)" in logged and "signed in" in logged
    for secret in (ADMIN_EMAIL, "personne@asmex.ma", THERE, "pas-le-bon-mot", ADMIN_PASSWORD):
        assert secret not in logged
