"""nlu.evaluation never lets an evaluation set's messages reach a terminal or a log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import structlog

from nlu.evaluation import Example, evaluate_agent

SECRET = "رسالة من مجموعة التقييم المجمدة 7382"


class LoudAgent:
    """Logs each message as Rasa's processor does (structlog and the standard logger)."""

    async def parse_message(self, text: str) -> dict[str, Any]:
        structlog.get_logger().debug("processor.message.parse", parse_data_text=text)
        logging.getLogger("rasa.core.processor").debug("Received user message '%s'", text)
        return {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}


def test_parsed_messages_are_not_printed_or_logged(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    examples = [Example(SECRET, "greet", "ar", ())]
    report = evaluate_agent(LoudAgent(), examples)
    assert report.intent_accuracy["all"] == 1.0
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert SECRET not in caplog.text


def test_without_the_guard_the_same_agent_would_print_the_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The test above can fail: structlog's default configuration prints debug lines."""
    import asyncio

    saved = structlog.get_config()
    structlog.reset_defaults()
    try:
        asyncio.run(LoudAgent().parse_message(SECRET))
    finally:
        structlog.configure(**saved)  # later tests keep the configuration they had
    assert SECRET in capsys.readouterr().out


def test_the_logging_configuration_is_restored_afterwards() -> None:
    before = structlog.get_config()["wrapper_class"]
    level = logging.getLogger("rasa").level
    evaluate_agent(LoudAgent(), [Example("bonjour", "greet", "fr", ())])
    assert structlog.get_config()["wrapper_class"] is before
    assert logging.getLogger("rasa").level == level
