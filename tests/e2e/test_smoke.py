"""The trained assistant answers over the REST channel, in the user's language."""

from __future__ import annotations

import pytest

from tests.e2e.servers import Servers

pytestmark = pytest.mark.model


def texts(replies: list[dict]) -> str:
    return " ".join(reply.get("text", "") for reply in replies)


@pytest.mark.parametrize(
    ("sender", "message", "expected", "not_expected"),
    [
        ("smoke-fr", "bonjour", "Bonjour", "Hello"),
        ("smoke-ar", "السلام عليكم", "مرحبا", "Bonjour"),
        ("smoke-en", "hello", "Hello", "Bonjour"),
    ],
)
def test_greeting_in_the_users_language(
    servers: Servers, sender: str, message: str, expected: str, not_expected: str
) -> None:
    reply = texts(servers.send(sender, message))
    assert expected in reply
    assert not_expected not in reply


def test_help_offers_buttons_in_arabic(servers: Servers) -> None:
    servers.send("smoke-help-ar", "السلام عليكم")
    replies = servers.send("smoke-help-ar", "/help")
    buttons = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "البعثات القادمة" in buttons


def test_goodbye_in_english(servers: Servers) -> None:
    reply = texts(servers.send("smoke-bye-en", "bye, thanks for your time"))
    assert "Goodbye" in reply or "welcome" in reply
