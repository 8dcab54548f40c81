"""The trained assistant answers over the REST channel, in the user's language."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot.channels.texts import TEXTS
from tests.e2e.conftest import Stack
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


def post_raw(servers: Servers, body: bytes) -> tuple[int, object]:
    """POST a raw body to the REST channel: (HTTP status, decoded JSON answer)."""
    request = urllib.request.Request(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        data=body,
        headers=servers.rest_headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read())


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"[]", b'{"message": "bonjour"}', b'{"sender": "x", "message": 7}']
)
def test_a_malformed_rest_request_gets_a_400_not_a_500(servers: Servers, body: bytes) -> None:
    status, answer = post_raw(servers, body)
    assert status == 400
    assert isinstance(answer, dict) and answer["error"]


def test_a_too_long_message_is_answered_in_the_conversations_language(stack: Stack) -> None:
    sender = "smoke-long-ar"
    assert "مرحبا" in texts(stack.servers.send(sender, "السلام عليكم"))
    long_text = "السلام عليكم " * 400  # 5,200 characters
    replies = stack.servers.send(sender, long_text)
    assert [r.get("text") for r in replies] == [TEXTS["too_long"]["ar"]]
    # Not parsed, not stored: the conversation holds the greeting alone.
    said = [e.get("text") for e in stack.stored_events(sender) if e.get("event") == "user"]
    assert said == ["السلام عليكم"]


@pytest.mark.parametrize(
    ("sender", "greeting", "language", "words"),
    [
        ("smoke-keep-fr", "bonjour", "fr", ["ok", "Dakar", "Casablanca", "stop"]),
        ("smoke-keep-ar", "السلام عليكم", "ar", ["ok", "Dakar", "Casablanca", "super"]),
    ],
)
def test_single_shared_words_and_names_keep_the_users_language(
    stack: Stack, sender: str, greeting: str, language: str, words: list[str]
) -> None:
    stack.servers.send(sender, greeting)
    for word in words:
        assert stack.servers.send(sender, word), word
    languages = [
        e.get("value")
        for e in stack.stored_events(sender)
        if e.get("event") == "slot" and e.get("name") == "language"
    ]
    assert languages == [language], languages


@pytest.mark.parametrize("message", ["", "   "])
def test_an_empty_message_gets_the_topics_menu(servers: Servers, message: str) -> None:
    replies = servers.send("smoke-empty", message)
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "/ask_missions" in payloads and "/help" in payloads, replies
