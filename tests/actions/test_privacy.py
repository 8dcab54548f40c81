"""action_delete_my_data and kb.privacy: the user's personal data is erased."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.privacy import ActionDeleteMyData
from kb.alerts import list_alert_subscriptions, subscribe_alerts
from kb.handoffs import ConversationTurn, request_handoff
from kb.models import Event, NotificationSent, Registration, User, metadata
from kb.privacy import ERASED_COMPANY, erase_user_data
from kb.registrations import create_registration, list_registrations
from kb.users import get_or_create_user, set_user_consent, set_user_language
from tests.actions.info_support import (
    assert_rendered,
    render,
    responses,
    run,
    tracker,
)

# Fixtures shared by the tests of issue #4's information actions.

TODAY = date(2026, 11, 22)
PERSON = {
    "company_name": "Atlas Export Unique SARL",
    "ice": "001525822000088",
    "contact_name": "Samira Oubella",
    "email": "samira.oubella@atlas-export.example",
    "phone": "+212612345678",
}


def seed(session: Session, sender: str, person: dict[str, str]) -> int:
    """A user with every kind of personal data; returns the user id."""
    user = get_or_create_user(session, channel="rest", channel_user_id=sender)
    set_user_language(session, user_id=user.id, language="ar")
    set_user_consent(session, user_id=user.id, consent=True)
    create_registration(
        session,
        event_slug="sample-dakar-b2b-mission-2026",
        user_id=user.id,
        today=TODAY,
        sector="agrifood",
        **person,
    )
    past = session.scalars(select(Event).where(Event.slug == "nairobi-b2b-mission-2025")).one()
    session.add(Registration(event_id=past.id, user_id=user.id, status="confirmed", **person))
    subscribe_alerts(session, user_id=user.id, country="KE")
    subscribe_alerts(session, user_id=user.id, sector="ict")
    request_handoff(
        session,
        user_id=user.id,
        language="ar",
        region="souss-massa",
        turns=[ConversationTurn(f"je suis {person['contact_name']}", "inform")],
    )
    session.add(NotificationSent(kind="alert", user_id=user.id, event_id=past.id))
    session.flush()
    return user.id


def every_value(engine: Engine) -> str:
    """Every value of every table, as one string."""
    with engine.connect() as connection:
        return "\n".join(
            repr(tuple(row))
            for table in metadata.sorted_tables
            for row in connection.execute(text(f"SELECT * FROM {table.name}"))
        )


async def test_delete_erases_the_users_data_from_every_table(kb: Engine) -> None:
    other = {
        "company_name": "Other Exporter SA",
        "ice": "002222222000099",
        "contact_name": "Youssef Alaoui",
        "email": "youssef@other.example",
        "phone": "+212698765432",
    }
    with Session(kb) as session, session.begin():
        user_id = seed(session, "user-1", PERSON)
        other_id = seed(session, "someone-else", other)
    assert PERSON["email"] in every_value(kb)

    messages, events = await run(ActionDeleteMyData(), tracker(intent="affirm", lang="ar"))

    assert responses(messages) == ["utter_delete_done"]
    assert messages[0]["registrations"] == "2"
    assert messages[0]["cancelled"] == "1"  # the Dakar mission has not ended
    assert messages[0]["subscriptions"] == "2"
    assert messages[0]["handoffs"] == "1"
    assert [e["event"] for e in events] == ["reset_slots", "restart"]
    (reply,) = assert_rendered(messages, "ar")
    assert "سجل هذه المحادثة" in reply

    everything = every_value(kb)
    for value in [*PERSON.values(), "user-1", "je suis Samira"]:
        assert value not in everything, value
    with Session(kb) as session:
        assert session.get(User, user_id) is None
        rows = session.scalars(select(Registration).where(Registration.user_id.is_(None))).all()
        assert len(rows) == 2
        assert {r.company_name for r in rows} == {ERASED_COMPANY}
        assert {(r.ice, r.contact_name, r.email, r.phone) for r in rows} == {(None,) * 4}
        assert sorted(r.status for r in rows) == ["cancelled", "confirmed"]  # past one kept
        # The other user's data is untouched.
        assert len(list_registrations(session, user_id=other_id)) == 2
        assert len(list_alert_subscriptions(session, user_id=other_id)) == 2
    assert other["email"] in everything


async def test_delete_for_a_user_never_stored(kb: Engine) -> None:
    messages, events = await run(ActionDeleteMyData(), tracker(intent="affirm", sender="new"))
    assert responses(messages) == ["utter_delete_done_nothing_stored"]
    assert [e["event"] for e in events] == ["reset_slots", "restart"]
    assert_rendered(messages, "fr")


def test_erase_reports_nothing_for_an_unknown_user(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        report = erase_user_data(session, channel="rest", channel_user_id="nobody", today=TODAY)
    assert not report.user_found
    assert report.registrations_anonymised == report.subscriptions_deleted == 0


@pytest.mark.usefixtures("db_down")
async def test_database_down_erases_nothing_and_keeps_the_conversation() -> None:
    messages, events = await run(ActionDeleteMyData(), tracker(intent="affirm"))
    assert responses(messages) == ["utter_db_unavailable"]
    assert events == []


def test_confirmation_and_cancel_responses_exist_in_every_language() -> None:
    for lang in ("fr", "ar", "en"):
        confirm, cancelled = assert_rendered(
            [{"response": "utter_ask_delete_confirm"}, {"response": "utter_delete_cancelled"}],
            lang,
        )
        assert confirm and cancelled
    (draft,) = render([{"response": "utter_ask_delete_confirm"}], "fr")
    assert [b["payload"] for b in draft["buttons"]] == ["/affirm", "/deny"]
