"""Canned replies: the seeded ones, an admin creates, edits and deletes them (CSRF, audit, clear
400s), a delegate may not, and the reply form's function lists them in one language."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from kb.canned import canned_replies_in, list_canned_replies
from kb.models import AuditEntry
from tests.console.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DELEGATE_EMAIL,
    DELEGATE_PASSWORD,
    Browser,
    page_token,
    sign_in,
)

FORM = {
    "title": "Salon reporté",
    "text_fr": "Le salon est reporté : nous vous écrirons dès que la nouvelle date est connue.",
    "text_ar": "تم تأجيل المعرض: سنراسلكم فور تحديد الموعد الجديد.",
    "text_en": "The fair is postponed: we will write to you as soon as the new date is known.",
}
ARABIC = re.compile("[\u0600-\u06ff]")


def signed_in(browser: Browser, email: str, password: str) -> TestClient:
    client = browser()
    assert sign_in(client, email, password).status_code == 303
    return client


def audit_actions(engine: Engine) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(row.action, row.target_id) for row in rows if row.action.startswith("canned.")]


def test_the_seeded_replies_exist_in_three_languages_with_real_arabic(engine: Engine) -> None:
    with Session(engine) as session:
        replies = list_canned_replies(session)
    assert 4 <= len(replies) <= 6
    for reply in replies:
        assert reply.texts.fr and reply.texts.en and reply.texts.fr != reply.texts.en
        assert len(ARABIC.findall(reply.texts.ar)) > len(reply.texts.ar) // 2, reply.title


def test_the_reply_form_lists_them_in_the_members_language(engine: Engine) -> None:
    with Session(engine) as session:
        arabic = canned_replies_in(session, language="ar")
        english = canned_replies_in(session, language="en")
        unknown = canned_replies_in(session, language="xx")
    assert [r.id for r in arabic] == [r.id for r in english]
    assert all(ARABIC.search(r.text) for r in arabic)
    assert not any(ARABIC.search(r.text) for r in english)
    assert [r.text for r in unknown] == [r.text for r in canned_replies_in_fr(engine)]


def canned_replies_in_fr(engine: Engine) -> list:
    with Session(engine) as session:
        return canned_replies_in(session, language="fr")


def test_an_admin_creates_edits_and_deletes_a_canned_reply(
    engine: Engine, browser: Browser
) -> None:
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    created = client.post(
        "/canned/new", data={**FORM, "csrf_token": page_token(client, "/canned/new")}
    )
    assert created.status_code == 303 and created.headers["location"] == "/canned"
    listing = client.get("/canned")
    assert "Salon reporté" in listing.text and FORM["text_ar"] in listing.text
    (new,) = [r for r in canned_replies_in_fr(engine) if r.title == "Salon reporté"]

    form = client.get(f"/canned/{new.id}/edit")
    assert form.status_code == 200 and FORM["text_en"] in form.text
    changed = {
        **FORM,
        "text_en": "The fair is postponed to June.",
        "csrf_token": page_token(client, f"/canned/{new.id}/edit"),
    }
    assert client.post(f"/canned/{new.id}/edit", data=changed).status_code == 303
    with Session(engine) as session:
        (english,) = [r for r in canned_replies_in(session, language="en") if r.id == new.id]
    assert english.text == "The fair is postponed to June."

    confirm = client.get(f"/canned/{new.id}/delete")
    assert confirm.status_code == 200 and "Salon reporté" in confirm.text
    token = page_token(client, f"/canned/{new.id}/delete")
    assert client.post(f"/canned/{new.id}/delete", data={"csrf_token": token}).status_code == 303
    assert all(r.id != new.id for r in canned_replies_in_fr(engine))
    assert client.get(f"/canned/{new.id}/edit").status_code == 404
    assert audit_actions(engine) == [
        ("canned.create", str(new.id)),
        ("canned.update", str(new.id)),
        ("canned.delete", str(new.id)),
    ]


def test_a_wrong_form_gets_400_with_each_problem_and_saves_nothing(
    engine: Engine, browser: Browser
) -> None:
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    before = len(canned_replies_in_fr(engine))
    data = {
        **FORM,
        "text_ar": "   ",
        "title": "x" * 101,
        "csrf_token": page_token(client, "/canned/new"),
    }
    response = client.post("/canned/new", data=data)
    assert response.status_code == 400
    assert 'data-field="text_ar"' in response.text and "Ce champ est obligatoire." in response.text
    assert 'data-field="title"' in response.text and "Trop long" in response.text
    assert 'data-field="text_fr"' not in response.text
    assert FORM["text_en"] in response.text  # the form keeps what was typed
    assert len(canned_replies_in_fr(engine)) == before
    assert audit_actions(engine) == []


def test_bad_ids_are_404(browser: Browser) -> None:
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    for path in (
        "/canned/999/edit",
        "/canned/abc/edit",
        "/canned/99999999999/delete",
        "/canned/-1/edit",
    ):
        assert client.get(path).status_code == 404, path


def test_a_post_without_csrf_token_is_refused(engine: Engine, browser: Browser) -> None:
    client = signed_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD)
    first = canned_replies_in_fr(engine)[0]
    assert client.post("/canned/new", data=FORM).status_code == 403
    assert client.post(f"/canned/{first.id}/delete", data={}).status_code == 403
    assert len(canned_replies_in_fr(engine)) == len(list_all(engine))
    assert audit_actions(engine) == []


def list_all(engine: Engine) -> list:
    with Session(engine) as session:
        return list_canned_replies(session)


def test_a_delegate_or_a_visitor_may_not_manage_canned_replies(
    engine: Engine, browser: Browser
) -> None:
    delegate = signed_in(browser, DELEGATE_EMAIL, DELEGATE_PASSWORD)
    assert delegate.get("/canned").status_code == 403
    assert 'href="/canned"' not in delegate.get("/").text
    token = page_token(delegate, "/")
    assert delegate.post("/canned/new", data={**FORM, "csrf_token": token}).status_code == 403
    visitor = browser()
    assert visitor.get("/canned").status_code == 303
    token = page_token(visitor, "/login")
    assert visitor.post("/canned/new", data={**FORM, "csrf_token": token}).status_code == 401
    assert all(r.title != FORM["title"] for r in list_all(engine))
