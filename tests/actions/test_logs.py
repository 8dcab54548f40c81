"""The action server's logs at INFO and above name a member only by ``user_ref``: no message
text, phone, e-mail, ICE, name or platform id, whatever the actions did."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from rasa_sdk.executor import ActionExecutor
from sqlalchemy.engine import Engine

from actions.language import ActionSetLanguage
from actions.my_data import ActionSendMyData
from actions.registration.form import ActionSubmitRegistration
from actions.registration.validation import ValidateRegistrationForm
from core.redact import user_ref
from tests.conftest import Clock

TODAY = date(2026, 11, 22)
DAKAR = "sample-dakar-b2b-mission-2026"
SENDER = "whatsapp:212698765432"
SECRETS = {
    "company_name": "Tisseurs de Fès SARL",
    "ice": "001525822000064",
    "contact_name": "Fatima Zahra Berrada",
    "email": "fz.berrada@tisseurs-fes.ma",
    "phone": "+212698765432",
    "sector": "textile",
}


@pytest.fixture(autouse=True)
def _today(clock: Clock) -> None:
    clock.set(TODAY)


def call(action: str, text: str, intent: str, slots: dict[str, Any], **extra: Any) -> dict:
    """A call of the action server, as the Rasa server sends it."""
    latest = {"intent": {"name": intent}, "entities": [], "text": text, **extra}
    events: list[dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": latest, "input_channel": "whatsapp"}
    ]
    events += [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
    tracker = {
        "sender_id": SENDER,
        "slots": {"language": "ar", **slots},
        "latest_message": latest,
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": "registration_form"},
        "latest_action_name": "action_listen",
    }
    return {"next_action": action, "sender_id": SENDER, "tracker": tracker, "domain": {}}


def executor() -> ActionExecutor:
    server = ActionExecutor()
    for action in (
        ValidateRegistrationForm,
        ActionSubmitRegistration,
        ActionSendMyData,
        ActionSetLanguage,
    ):
        server.register_action(action)
    return server


def assert_no_personal_data(records: list[logging.LogRecord]) -> str:
    """The INFO+ log lines, checked; returned for the caller's own checks."""
    lines = "\n".join(r.getMessage() for r in records if r.levelno >= logging.INFO)
    for secret in (*SECRETS.values(), "212698765432", "واخا موافق", "صيفط ليا"):
        if secret == "textile":
            continue  # a sector is not personal
        assert secret not in lines, secret
    return lines


async def test_a_registration_and_an_access_request_log_no_personal_data(
    kb: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = executor()
    accepted = call(
        "validate_registration_form",
        "واخا موافق",
        "affirm",
        {"requested_slot": "consent", "event_slug": DAKAR, "consent": True},
    )
    await server.run(accepted)
    confirmed = {"event_slug": DAKAR, "consent": True, **SECRETS, "registration_confirmed": True}
    result = await server.run(call("action_submit_registration", "إيه", "affirm", confirmed))
    assert result is not None
    assert [r["response"] for r in result["responses"]] == ["utter_registration_done"]
    result = await server.run(call("action_send_my_data", "صيفط ليا المعطيات", "send_my_data", {}))
    assert result is not None
    assert SECRETS["email"] in str(result["responses"])  # the member sees it; the log does not
    lines = assert_no_personal_data(caplog.records)
    ref = user_ref(SENDER)
    assert f"consent registration-2026-12 recorded for {ref}" in lines
    assert f"saved for {ref}" in lines
    assert f"data held sent to {ref}" in lines


async def test_a_failing_database_logs_no_personal_data(
    db_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = executor()
    choice = call(
        "action_set_language",
        "bghit l3arbiya",
        "change_language",
        {},
        entities=[{"entity": "language", "value": "ar"}],
    )
    await server.run(choice)
    await server.run(call("action_send_my_data", "صيفط ليا المعطيات", "send_my_data", {}))
    lines = assert_no_personal_data(caplog.records)
    assert f"language choice of {user_ref(SENDER)}" in lines
    assert "action_send_my_data answered 'try again'" in lines
