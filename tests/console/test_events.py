"""The events pages: list and search, create and edit with the import's own checking, close
and cancel, upload, alerts for new events, roles, CSRF and the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from kb.alerts import subscribe_alerts
from kb.files.event_schema import CSV_COLUMNS, EventFileError, validate_records
from kb.models import AuditEntry, Event
from kb.users import get_or_create_user
from outbound import notify
from tests.console.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DELEGATE_EMAIL,
    DELEGATE_PASSWORD,
    Browser,
    page_token,
    sign_in,
)
from tests.support.notify import FakeNotifier

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"

#: A valid form (the console's "today" is 2026-01-15), in the three languages.
FORM = {
    "slug": "mission-dakar-2026",
    "type": "mission",
    "title_fr": "Mission agroalimentaire à Dakar",
    "title_ar": "بعثة الصناعات الغذائية إلى داكار",
    "title_en": "Agrifood mission to Dakar",
    "country": "SN",
    "city": "Dakar",
    "start_date": "2026-05-10",
    "end_date": "2026-05-12",
    "sectors": "agrifood;logistics",
    "organizer": "ASMEX",
}


@pytest.fixture()
def admin(browser: Browser) -> TestClient:
    client = browser()
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    return client


@pytest.fixture()
def channels(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeNotifier]:
    """A fake Telegram notifier in place of the configured channels, as the CLI tests do."""
    configured: dict[str, FakeNotifier] = {"telegram": FakeNotifier()}
    monkeypatch.setattr(notify, "notifiers_from_environment", lambda: dict(configured))
    return configured


def post_form(client: TestClient, path: str, **values: str) -> Any:
    data = {**{c: "" for c in CSV_COLUMNS}, **values, "csrf_token": page_token(client, path)}
    return client.post(path, data=data)


def event(engine: Engine, slug: str) -> Event | None:
    with Session(engine) as session:
        row = session.scalars(select(Event).where(Event.slug == slug)).one_or_none()
        if row is not None:
            session.expunge(row)
        return row


def actions(engine: Engine) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.action, r.target_id) for r in rows if r.action.startswith("event.")]


def upload(client: TestClient, name: str, content: bytes) -> Any:
    token = page_token(client, "/events/upload")
    return client.post(
        "/events/upload", data={"csrf_token": token}, files={"file": (name, content)}
    )


def test_an_admin_creates_an_event_listed_and_audited(admin: TestClient, engine: Engine) -> None:
    created = post_form(admin, "/events/new", **FORM)
    assert created.status_code == 200, created.text
    row = event(engine, "mission-dakar-2026")
    assert (
        row is not None
        and row.title_ar == FORM["title_ar"]
        and row.sectors
        == [
            "agrifood",
            "logistics",
        ]
    )
    listed = admin.get("/events?text=داكار")
    assert "mission-dakar-2026" in listed.text and FORM["title_fr"] in listed.text
    assert "mission-dakar-2026" not in admin.get("/events?country=MA").text
    assert "mission-dakar-2026" in admin.get("/events?sector=logistics&event_type=mission").text
    assert actions(engine) == [("event.create", "mission-dakar-2026")]
    again = post_form(admin, "/events/new", **FORM)
    assert again.status_code == 400 and "Un événement porte déjà cet identifiant" in again.text


@pytest.mark.parametrize(
    ("name", "value"),
    [("start_date", "10/05/2026"), ("country", "XX"), ("fee_mad", "-5"), ("type", "salon")],
)
def test_a_bad_field_gets_the_imports_message(
    admin: TestClient, engine: Engine, name: str, value: str
) -> None:
    record = {**dict.fromkeys(CSV_COLUMNS, ""), **FORM, name: value}
    with pytest.raises(EventFileError) as raised:
        validate_records([(1, record)], fmt="csv")
    expected = [p.message for p in raised.value.problems if p.field == name]
    assert expected
    answer = post_form(admin, "/events/new", **{**FORM, name: value})
    assert answer.status_code == 400
    shown = answer.text.split(f'data-field="{name}">', 1)[1].split("</p>", 1)[0]
    escaped = expected[0].replace("'", "&#39;")
    assert shown == escaped
    assert event(engine, FORM["slug"]) is None and actions(engine) == []


def test_form_values_are_escaped(admin: TestClient) -> None:
    answer = post_form(admin, "/events/new", **{**FORM, "city": '<script>x</script>"'})
    assert answer.status_code == 200
    page = admin.get("/events/mission-dakar-2026/edit").text
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;&#34;" in page


def test_edit_close_cancel(admin: TestClient, engine: Engine) -> None:
    post_form(admin, "/events/new", **FORM)
    form = admin.get("/events/mission-dakar-2026/edit")
    assert form.status_code == 200 and 'value="Agrifood mission to Dakar"' in form.text
    edited = post_form(
        admin, "/events/mission-dakar-2026/edit", **{**FORM, "city": "Thiès", "slug": "other"}
    )
    assert edited.status_code == 200
    assert event(engine, "mission-dakar-2026").city == "Thiès"  # type: ignore[union-attr]
    assert event(engine, "other") is None
    confirm = admin.get("/events/mission-dakar-2026/close")
    assert confirm.status_code == 200 and "Il aura toujours lieu" in confirm.text
    closed = admin.post(
        "/events/mission-dakar-2026/close",
        data={"csrf_token": page_token(admin, "/events/mission-dakar-2026/close")},
    )
    assert closed.status_code == 303
    assert event(engine, "mission-dakar-2026").status == "closed"  # type: ignore[union-attr]
    admin.post(
        "/events/mission-dakar-2026/cancel",
        data={"csrf_token": page_token(admin, "/events/mission-dakar-2026/cancel")},
    )
    assert event(engine, "mission-dakar-2026").status == "cancelled"  # type: ignore[union-attr]
    assert "mission-dakar-2026" in admin.get("/events?status=cancelled").text
    assert [a for a, _ in actions(engine)] == [
        "event.create",
        "event.update",
        "event.close",
        "event.cancel",
    ]
    assert admin.get("/events/nope/edit").status_code == 404
    assert admin.get("/events/mission-dakar-2026/delete").status_code == 404


def test_the_list_puts_past_events_last_and_pages(admin: TestClient) -> None:
    assert upload(admin, "good.yml", (EVENTS / "good.yml").read_bytes()).status_code == 200
    page = admin.get("/events").text
    assert page.index("gitex-africa-2026") < page.index("dakar-agrifood-2027")
    assert page.index("dakar-agrifood-2027") < page.index("export-webinar-2025")
    assert "(passé)" in page
    for bad in ("page=0", "page=x", "status=gone", "event_type=party", "text=" + "x" * 101):
        assert admin.get(f"/events?{bad}").status_code == 400


def test_upload_good_yaml_and_csv(admin: TestClient, engine: Engine) -> None:
    answer = upload(admin, "good.yml", (EVENTS / "good.yml").read_bytes())
    assert answer.status_code == 200 and "créés: 3" in answer.text.replace(" :", ":")
    answer = upload(admin, "good.csv", (EVENTS / "good.csv").read_bytes())
    assert answer.status_code == 200
    assert event(engine, "abidjan-btp-2026") is not None
    assert [a for a, _ in actions(engine)] == ["event.import", "event.import"]


def test_a_bad_file_writes_nothing(admin: TestClient, engine: Engine) -> None:
    answer = upload(admin, "bad_rows.yml", (EVENTS / "bad_rows.yml").read_bytes())
    assert answer.status_code == 400 and "<li>row " in answer.text
    with Session(engine) as session:
        assert session.scalars(select(Event)).first() is None
    assert actions(engine) == []
    assert upload(admin, "events.txt", b"events: []").status_code == 400
    assert upload(admin, "not_utf8.csv", (EVENTS / "not_utf8.csv").read_bytes()).status_code == 400
    assert upload(admin, "big.csv", b"x" * 70_000).status_code == 413


def test_a_new_event_alerts_matching_subscribers(
    admin: TestClient, engine: Engine, channels: dict[str, FakeNotifier]
) -> None:
    with Session(engine) as session, session.begin():
        for chat, country in (("111", "SN"), ("222", "KE")):
            user = get_or_create_user(session, channel="telegram", channel_user_id=chat)
            subscribe_alerts(session, user_id=user.id, country=country)
    answer = post_form(admin, "/events/new", **FORM)
    assert answer.status_code == 200
    telegram = channels["telegram"]
    assert [m.recipient for _, m in telegram.sent] == ["111"]
    assert "Alertes envoyées: 1" in answer.text
    edited = post_form(admin, "/events/mission-dakar-2026/edit", **{**FORM, "city": "Saly"})
    assert edited.status_code == 200 and len(telegram.sent) == 1  # an update alerts nobody


def test_a_delegate_is_refused_and_csrf_is_required(browser: Browser, admin: TestClient) -> None:
    delegate = browser()
    assert sign_in(delegate, DELEGATE_EMAIL, DELEGATE_PASSWORD).status_code == 303
    for path in ("/events", "/events/new", "/events/upload"):
        assert delegate.get(path).status_code == 403
    token = page_token(delegate, "/")
    assert delegate.post("/events/new", data={**FORM, "csrf_token": token}).status_code == 403
    assert admin.post("/events/new", data=FORM).status_code == 403
    assert admin.post("/events/x/close", data={}).status_code == 403
