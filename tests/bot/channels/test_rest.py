"""The REST channel (bot/channels/rest.py): what it hands to Rasa, what it refuses, what it
says itself. Its token, size and rate limits: tests/bot/channels/test_rest_limits.py."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from rasa.shared.core.events import ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import ListSlot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.choices import beyond
from bot.channels.rest import MAX_SENDER, CheckedRestInput
from bot.channels.texts import TEXTS
from kb.models import User
from outbound.text import MAX_MESSAGE
from tests.bot.channels.rest_support import (
    FakeClock,
    Rest,
    channel_with,
    database,
    serving,
)


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    yield from database(tmp_path, monkeypatch)


@pytest.fixture()
def rate_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def channel(rate_clock: FakeClock) -> CheckedRestInput:
    return channel_with(rate_clock)


@pytest.fixture()
async def rest(db: Engine, channel: CheckedRestInput) -> AsyncIterator[Rest]:
    async with serving(channel) as served:
        yield served


def every_language(key: str) -> list[str]:
    return [TEXTS[key][code] for code in ("fr", "ar", "en")]


# --- what reaches Rasa -----------------------------------------------------------------------


async def test_a_message_reaches_rasa_and_the_replies_come_back(rest: Rest) -> None:
    answer = await rest.post(
        {"sender": "web-1", "message": "bonjour", "metadata": {"language_hint": "fr"}}
    )
    assert answer.status_code == 200
    assert answer.json() == [{"recipient_id": "web-1", "text": "Bonjour !"}]
    (message,) = rest.rasa.received
    assert (message.sender_id, message.text, message.input_channel) == (
        "rest:web-1",
        "bonjour",
        "rest",
    )
    assert message.metadata == {"language_hint": "fr"}


async def test_the_channel_name_cannot_be_forged(rest: Rest) -> None:
    # Actions know a user by (channel, sender): a REST client must not pass as a Telegram user.
    answer = await rest.post(
        {"sender": "7000001", "message": "mes inscriptions", "input_channel": "telegram"}
    )
    assert answer.status_code == 200
    assert [m.input_channel for m in rest.rasa.received] == ["rest"]


async def test_a_numeric_sender_is_taken_as_text(rest: Rest) -> None:
    assert (await rest.post({"sender": 42, "message": "salam"})).status_code == 200
    assert [m.sender_id for m in rest.rasa.received] == ["rest:42"]


async def test_a_typed_choice_reaches_rasa_as_the_button_it_picks(rest: Rest) -> None:
    buttons = [
        {"title": "Dakar", "payload": '/register_mission{"event_slug": "dakar"}'},
        {"title": "Abidjan", "payload": '/register_mission{"event_slug": "abidjan"}'},
    ]
    rest.store.trackers["rest:web-2"] = DialogueStateTracker.from_events(
        "web-2",
        [UserUttered("je veux m'inscrire"), BotUttered("Laquelle ?", {"buttons": buttons})],
        slots=[TextSlot("language", mappings=[{}])],
    )
    for text in ("2", "la 2", "رقم ٢", "la 9", "bonjour"):
        assert (await rest.post({"sender": "web-2", "message": text})).status_code == 200
    assert (await rest.post({"sender": "web-2", "message": "1"}, stream="true")).status_code == 200
    assert [m.text for m in rest.rasa.received] == [
        buttons[1]["payload"],
        buttons[1]["payload"],
        buttons[1]["payload"],
        beyond(2),
        "bonjour",
        buttons[0]["payload"],
    ]


async def test_a_typed_number_answers_the_registration_forms_question(rest: Rest) -> None:
    """Inside the form, "2" under its five events is the second one, in every script."""
    slugs = ["webinar", "abidjan", "nairobi", "hong-kong", "uae"]
    buttons = [
        {"title": slug, "payload": f'/register_mission{{"event_slug": "{slug}"}}'} for slug in slugs
    ]
    rest.store.trackers["rest:web-3"] = DialogueStateTracker.from_events(
        "web-3",
        [
            UserUttered("je veux m'inscrire"),
            ActiveLoop("registration_form"),
            BotUttered("À quel événement souhaitez-vous vous inscrire ?", {"buttons": buttons}),
            SlotSet("listed_events", slugs),
        ],
        slots=[TextSlot("language", mappings=[{}]), ListSlot("listed_events", mappings=[{}])],
    )
    for text in ("2", "٢", "la 2", "التانية", "tania"):
        assert (await rest.post({"sender": "web-3", "message": text})).status_code == 200
    assert [m.text for m in rest.rasa.received] == [buttons[1]["payload"]] * 5


async def test_a_message_at_the_limit_is_parsed(rest: Rest) -> None:
    text = "é" * MAX_MESSAGE
    assert (await rest.post({"sender": "long", "message": text})).status_code == 200
    assert [m.text for m in rest.rasa.received] == [text]


async def test_streaming_still_works(rest: Rest) -> None:
    rest.rasa.replies = ["un", "deux"]
    answer = await rest.post({"sender": "s", "message": "aide"}, stream="true")
    lines = [json.loads(line) for line in answer.text.splitlines() if line.strip()]
    assert [line["text"] for line in lines] == ["un", "deux"]
    assert [m.input_channel for m in rest.rasa.received] == ["rest"]


async def test_the_too_long_reply_streams_as_one_line_when_asked(rest: Rest) -> None:
    answer = await rest.post({"sender": "s", "message": "y" * 5000}, stream="true")
    (line,) = answer.text.splitlines()
    assert json.loads(line)["recipient_id"] == "s"
    assert TEXTS["too_long"]["en"] in json.loads(line)["text"]


async def test_health(rest: Rest) -> None:
    answer = await rest.http.get(rest.url + "/webhooks/rest/")
    assert answer.json() == {"status": "ok"}


# --- refused with 400 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        (b"", "JSON object"),
        (b"sender=me&message=hi", "JSON object"),
        (b"\xff\xfe\x00", "JSON object"),
        (b"[1, 2]", "JSON object"),
        (b'"bonjour"', "JSON object"),
        (b'{"message": "bonjour"}', '"sender"'),
        (b'{"sender": "", "message": "bonjour"}', '"sender"'),
        (b'{"sender": "   ", "message": "bonjour"}', '"sender"'),
        (b'{"sender": true, "message": "bonjour"}', '"sender"'),
        (b'{"sender": ["me"], "message": "bonjour"}', '"sender"'),
        (b'{"sender": "a\\u0000b", "message": "bonjour"}', '"sender"'),
        (b'{"sender": "line\\nbreak", "message": "bonjour"}', '"sender"'),
        (b'{"sender": "\\ud800", "message": "bonjour"}', '"sender"'),
        (b'{"sender": "\xed\xa0\x80", "message": "bonjour"}', '"sender"'),
        (json.dumps({"sender": "x" * (MAX_SENDER + 1), "message": "hi"}).encode(), '"sender"'),
        (b'{"sender": "me"}', '"message"'),
        (b'{"sender": "me", "message": null}', '"message"'),
        (b'{"sender": "me", "message": 12}', '"message"'),
        (b'{"sender": "me", "message": {"text": "hi"}}', '"message"'),
        (b'{"sender": "me", "message": "hi", "metadata": "fr"}', '"metadata"'),
    ],
)
async def test_malformed_requests_get_a_400_naming_the_problem(
    rest: Rest, raw: bytes, named: str
) -> None:
    answer = await rest.post(raw=raw)
    assert answer.status_code == 400
    assert named in answer.json()["error"]
    assert rest.rasa.received == []


# --- what the channel says itself ----------------------------------------------------------------


async def test_a_too_long_message_is_not_parsed_and_the_user_is_told_in_every_language(
    rest: Rest,
) -> None:
    answer = await rest.post({"sender": "anon", "message": "a " * MAX_MESSAGE})
    assert answer.status_code == 200
    (reply,) = answer.json()
    assert reply["recipient_id"] == "anon"
    assert all(text in reply["text"] for text in every_language("too_long"))
    assert rest.rasa.received == []


async def test_the_too_long_reply_follows_the_conversations_language(rest: Rest) -> None:
    rest.store.trackers["rest:u-en"] = DialogueStateTracker.from_events(
        "u-en", [SlotSet("language", "en")], slots=[TextSlot("language", mappings=[{}])]
    )
    answer = await rest.post({"sender": "u-en", "message": "x" * (MAX_MESSAGE + 1)})
    assert [r["text"] for r in answer.json()] == [TEXTS["too_long"]["en"]]


async def test_the_too_long_reply_follows_the_chosen_language_then_the_hint(
    rest: Rest, db: Engine
) -> None:
    with Session(db) as session:
        session.add(User(channel="rest", channel_user_id="u-ar", language="ar"))
        session.commit()
    chosen = await rest.post({"sender": "u-ar", "message": "ب" * 5000})
    assert [r["text"] for r in chosen.json()] == [TEXTS["too_long"]["ar"]]
    hinted = await rest.post(
        {"sender": "new", "message": "z" * 5000, "metadata": {"language_hint": "en-GB"}}
    )
    assert [r["text"] for r in hinted.json()] == [TEXTS["too_long"]["en"]]


async def test_a_failure_with_nothing_said_gets_the_try_again_reply(rest: Rest) -> None:
    rest.rasa.replies, rest.rasa.error = [], RuntimeError("tracker store down")
    answer = await rest.post(
        {"sender": "f", "message": "bonjour", "metadata": {"language_hint": "ar"}}
    )
    assert answer.status_code == 200
    assert [r["text"] for r in answer.json()] == [TEXTS["error"]["ar"]]


async def test_a_turn_that_could_not_be_stored_says_so_instead_of_its_replies(rest: Rest) -> None:
    # Rasa answered, then failed to store the turn (the conversation store is down): the
    # member must not believe the answer (their e-mail, say) was kept.
    rest.rasa.replies, rest.rasa.error = ["Merci, votre e-mail est noté."], RuntimeError("late")
    answer = await rest.post(
        {"sender": "g", "message": "a@b.ma", "metadata": {"language_hint": "fr"}}
    )
    assert [r["text"] for r in answer.json()] == [TEXTS["error"]["fr"]]


async def test_a_streamed_turn_that_could_not_be_stored_ends_with_the_error(rest: Rest) -> None:
    rest.rasa.replies, rest.rasa.error = ["Voici les missions"], RuntimeError("late")
    answer = await rest.post(
        {"sender": "g2", "message": "missions", "metadata": {"language_hint": "en"}},
        stream="true",
    )
    lines = [json.loads(line)["text"] for line in answer.text.splitlines() if line.strip()]
    assert lines == ["Voici les missions", TEXTS["error"]["en"]]


async def test_a_failure_in_a_stream_is_told_and_the_stream_ends(rest: Rest) -> None:
    rest.rasa.replies, rest.rasa.error = [], RuntimeError("tracker store down")
    answer = await rest.post(
        {"sender": "st", "message": "bonjour", "metadata": {"language_hint": "en"}},
        stream="true",
    )
    lines = [json.loads(line) for line in answer.text.splitlines() if line.strip()]
    assert lines == [{"recipient_id": "st", "text": TEXTS["error"]["en"]}]


async def test_streamed_replies_are_addressed_to_the_sender_not_the_conversation(
    rest: Rest,
) -> None:
    answer = await rest.post({"sender": "who", "message": "salut"}, stream="true")
    (line,) = answer.text.splitlines()
    assert json.loads(line)["recipient_id"] == "who"


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        (b'{"sender": "s", "message": "\\ud800"}', "\ufffd"),
        (b'{"sender": "s", "message": "salam \\ud83d\\ude00 \\udfff"}', "salam \U0001f600 \ufffd"),
        (b'{"sender": "s", "message": "\xed\xa0\x80 ok"}', "\ufffd ok"),
        (b'{"sender": "s", "message": "\\u0000 nul\\u001b[0m"}', "nul[0m"),
        (b'{"sender": "s", "message": "ligne\\nligne\\tfin"}', "ligne\nligne\tfin"),
    ],
)
async def test_lone_surrogates_and_control_characters_do_not_reach_rasa(
    rest: Rest, raw: bytes, read: str
) -> None:
    assert (await rest.post(raw=raw)).status_code == 200
    assert [m.text for m in rest.rasa.received] == [read]
