"""The analytics page: figures on a known tracker store and database, charts as SVG with
their numbers, the list to review from the learning loop's function, and who may open it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from console.app import create_app
from kb.models import Event, Registration
from kb.users import get_or_create_user
from tests.console.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DELEGATE_EMAIL,
    DELEGATE_PASSWORD,
    Browser,
    Now,
    console_settings,
    sign_in,
    token_of,
)
from tests.support.tracker_events import tracker_engine
from tests.support.tracker_fixtures import known_week


@pytest.fixture()
def tracker(tmp_path: Path) -> Engine:
    engine = tracker_engine(tmp_path / "tracker.db")
    known_week().store(engine)
    return engine


@pytest.fixture()
def analytics_app(db_url: str, tracker: Engine, accounts: object, now: Now) -> Starlette:
    return create_app(console_settings(db_url), now=now, tracker_url=str(tracker.url))


@pytest.fixture()
def admin(analytics_app: Starlette, browser: Browser) -> TestClient:
    client = browser(target=analytics_app)
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    return client


def test_the_page_shows_the_figures_and_svg_charts(admin: TestClient, engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        event = Event(
            slug="gitex-africa-2026",
            type="fair",
            title_fr="GITEX Africa",
            title_ar="جيتكس",
            title_en="GITEX Africa",
            country="MA",
            start_date=date(2026, 4, 14),
            end_date=date(2026, 4, 16),
            sectors=["it"],
            organizer="GITEX",
        )
        session.add(event)
        session.flush()
        for n, status in enumerate(("confirmed", "confirmed", "cancelled")):
            member = get_or_create_user(session, channel="telegram", channel_user_id=f"{n}")
            session.add(
                Registration(
                    event_id=event.id, user_id=member.id, company_name="Argan Co", status=status
                )
            )
    page = admin.get("/analytics?days=7")
    assert page.status_code == 200
    html = page.text
    assert '<dd id="total-messages">8</dd>' in html
    assert '<dd id="share-not-understood"><bdi dir="ltr">14.3 %</bdi></dd>' in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 5
    assert "<title>Messages par jour et par canal</title>" in html
    assert "<title>2026-01-13 · telegram: 2</title>" in html
    assert "<title>2026-01-15 · darija: 1</title>" in html
    assert "<title>GITEX Africa: 3</title>" in html
    assert "confirmées 2" in html and "annulées 1" in html
    assert "wach kayn chi salon f Nairobi" in html  # the review list, same function as review-nlu
    assert "effacé" not in html  # the erased member
    assert "non mesuré" in html  # no rating recorded
    # No handoff was taken: no "0 requests, median 0 min", which reads as a real measure.
    assert "médiane 0 min" not in html
    assert html.count("rien à mesurer : aucune demande prise en charge sur la période") == 2
    assert "<script" not in html and "style=" not in html


def test_the_period_filter(admin: TestClient) -> None:
    assert '<dd id="total-messages">9</dd>' in admin.get("/analytics").text  # 30 days
    assert '<dd id="total-messages">9</dd>' in admin.get("/analytics?days=90").text
    assert admin.get("/analytics?days=12").status_code == 400


def test_arabic_page_right_to_left(admin: TestClient) -> None:
    token = token_of(admin.get("/analytics").text)
    switched = admin.post("/language", data={"language": "ar", "csrf_token": token})
    assert switched.status_code == 303
    html = admin.get("/analytics?days=7").text
    assert '<html lang="ar" dir="rtl">' in html
    assert html.count('class="chart rtl" role="img"') == 4
    assert "<title>الرسائل حسب اليوم والقناة</title>" in html


def test_an_empty_store_and_database_render(
    db_url: str, tmp_path: Path, accounts: object, now: Now, browser: Browser
) -> None:
    empty = tracker_engine(tmp_path / "empty.db")
    app = create_app(console_settings(db_url), now=now, tracker_url=str(empty.url))
    client = browser(target=app)
    sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    html = client.get("/analytics").text
    assert '<dd id="total-messages">0</dd>' in html
    assert "Aucun message sur cette période." in html
    assert "Aucune inscription." in html
    assert "Rien à relire" in html


def test_no_tracker_file_is_not_created(
    db_url: str, tmp_path: Path, accounts: object, now: Now, browser: Browser
) -> None:
    missing = tmp_path / "none.db"
    app = create_app(console_settings(db_url), now=now, tracker_url=f"sqlite:///{missing}")
    client = browser(target=app)
    sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert '<dd id="total-messages">0</dd>' in client.get("/analytics").text
    assert not missing.exists()


def test_without_a_conversation_store(admin: TestClient, browser: Browser) -> None:
    client = browser()  # the default app: no tracker_url
    sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    html = client.get("/analytics").text
    assert "aucun stockage SQL configuré" in html


def test_a_delegate_gets_403_and_no_session_a_redirect(
    analytics_app: Starlette, browser: Browser
) -> None:
    delegate = browser(target=analytics_app)
    sign_in(delegate, DELEGATE_EMAIL, DELEGATE_PASSWORD)
    assert delegate.get("/analytics").status_code == 403
    assert "/analytics" not in delegate.get("/").text  # not in a delegate's navigation
    anonymous = browser(target=analytics_app).get("/analytics?days=7")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/analytics%3Fdays%3D7"
