"""Telegram: an update is stored before Telegram is told it arrived (the polling offset moves
past it, the webhook answers 200), and answered again later without repeating what the member
received. Against the fake Bot API, real Update JSON, a scripted "Rasa"."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels import telegram_updater
from bot.channels.telegram import TelegramInput
from bot.channels.texts import channel_text
from bot.extensions.fail_closed import TrackerStoreUnavailable
from kb.migrate import upgrade_to_head
from kb.models import InboundMessage, utcnow
from kb.session import make_engine
from outbound.telegram import MAX_TEXT_UNITS
from outbound.text import utf16_units
from tests.bot.channels.test_telegram import FakeRasa, running, settings
from tests.support.fake_telegram import FakeTelegram, message_update

ARABIC = "ما هي البعثات القادمة إلى إفريقيا؟"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("telegram-durable") / "template.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture()
def db(migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    path = tmp_path / "kb.db"
    shutil.copy(migrated, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture()
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def statuses(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(InboundMessage.status).order_by(InboundMessage.id)))


def offsets(fake: FakeTelegram) -> list[str | None]:
    return [call.params.get("offset") for call in fake.calls_to("getUpdates")]


async def test_polling_confirms_no_offset_before_the_updates_are_stored(
    db: Engine, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(telegram_updater, "STORE_RETRY", 0.05)
    good = str(db.url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/kb.db")
    first, second = message_update(ARABIC, user_id=7), message_update("et l'Asie ?", user_id=7)
    rasa = FakeRasa()
    async with running(TelegramInput(settings(fake, "polling"), poll_timeout=1), rasa):
        fake.push(first, second)
        await fake.wait_for("getUpdates", 4)  # fetched again and again, never confirmed
        assert set(offsets(fake)) == {None}
        assert rasa.received == [] and not fake.calls_to("sendMessage")
        monkeypatch.setenv("DATABASE_URL", good)
        await fake.wait_for("sendMessage", 2)
        await fake.wait_for("getUpdates", len(fake.calls_to("getUpdates")) + 1)
    assert rasa.texts == [ARABIC, "et l'Asie ?"]
    assert str(second["update_id"] + 1) in offsets(fake)
    assert statuses(db) == ["done", "done"]


async def test_the_webhook_answers_503_while_the_update_cannot_be_stored(
    db: Engine, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    good = str(db.url)
    update_json = message_update(ARABIC, user_id=8, language_code="ar")
    async with running(TelegramInput(settings(fake))) as served:
        await fake.wait_for("setWebhook")
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/kb.db")
        assert (await served.post(update_json)).status_code == 503
        assert served.rasa.received == []
        monkeypatch.setenv("DATABASE_URL", good)
        assert (await served.post(update_json)).status_code == 200  # Telegram's retry
        assert (await served.post(update_json)).status_code == 200  # and a redelivery
    assert served.rasa.texts == [ARABIC]
    assert len(fake.calls_to("sendMessage")) == 1


async def test_a_turn_rasa_could_not_store_says_so_in_the_member_s_language(
    db: Engine, fake: FakeTelegram
) -> None:
    rasa = FakeRasa(replies={ARABIC: [{"text": "Quel est le nom de votre entreprise ?"}]})
    original = rasa.__call__

    async def fails_after_replying(message: object) -> None:
        await original(message)  # type: ignore[arg-type]
        raise TrackerStoreUnavailable("ErasingSQLTrackerStore: saving failed (OperationalError)")

    async with running(TelegramInput(settings(fake)), fails_after_replying) as served:  # type: ignore[arg-type]
        await fake.wait_for("setWebhook")
        assert (await served.post(message_update(ARABIC, language_code="ar"))).status_code == 200
    assert fake.sent_texts() == [channel_text("error", "ar")]
    assert statuses(db) == ["done"]


async def test_a_long_reply_cut_by_a_network_error_goes_on_from_the_part_not_delivered(
    db: Engine, fake: FakeTelegram
) -> None:
    paragraph = "Mission économique à Dakar : rencontres B2B, visites de sites. " * 20
    text = "\n\n".join(f"{n}. {paragraph.strip()}" for n in range(8))
    assert utf16_units(text) > 2 * MAX_TEXT_UNITS
    rasa = FakeRasa(replies={"long": [{"text": text}, {"text": "Autre chose ?"}]})
    async with running(TelegramInput(settings(fake)), rasa) as served:
        await fake.wait_for("setWebhook")
        original = fake._api_sendMessage

        async def then_a_bad_gateway(params: dict, files: dict) -> object:
            fake._api_sendMessage = original  # type: ignore[method-assign]
            fake.fail("sendMessage", 502)  # the next part
            return await original(params, files)

        fake._api_sendMessage = then_a_bad_gateway  # type: ignore[method-assign]
        await served.post(message_update("long", user_id=9))
        assert statuses(db) == ["pending"]  # to be answered again later
        with Session(db) as session, session.begin():
            session.execute(update(InboundMessage).values(lease_until=utcnow()))
        await served.channel.serve("9")
    calls = [call.params["text"] for call in fake.calls_to("sendMessage")]
    assert calls[1] == calls[2]  # the part refused with 502, then sent again
    delivered = calls[:1] + calls[2:]
    assert len(delivered) == 4 and delivered[-1] == "Autre chose ?"
    assert "\n\n".join(delivered[:3]) == text
    assert rasa.texts == ["long"] and statuses(db) == ["done"]
