"""core.settings: every setting typed and read once; core.clock: today."""

from __future__ import annotations

import ast
import os
from datetime import date, datetime

import pytest

from core import clock as core_clock
from core import settings
from tests.support.project import ROOT

PACKAGES = ("core", "nlu", "kb", "outbound", "actions", "bot", "admin", "console")


def test_defaults_from_an_empty_environment() -> None:
    loaded = settings.load({})
    assert loaded.database_url == f"sqlite:///{settings.VAR_DIR / 'asmex.db'}"
    assert loaded.today is None
    assert loaded.telegram == settings.TelegramEnv()
    assert loaded.whatsapp.access_token == "" and loaded.twilio.account_sid == ""


def test_values_are_read_stripped_and_typed() -> None:
    loaded = settings.load(
        {
            "DATABASE_URL": " postgresql+psycopg2://u@h/asmex ",
            "ASMEX_TODAY": "2027-03-15",
            "TELEGRAM_TOKEN": " 123:abc ",
            "TELEGRAM_MODE": "webhook",
            "WHATSAPP_TEMPLATE_LANGUAGES": "en=en_US",
            "TWILIO_CONTENT_SID": "HX1",
        }
    )
    assert loaded.database_url == "postgresql+psycopg2://u@h/asmex"
    assert loaded.today == date(2027, 3, 15)
    assert (loaded.telegram.token, loaded.telegram.mode) == ("123:abc", "webhook")
    assert loaded.whatsapp.template_languages == "en=en_US"
    assert loaded.twilio.content_sid == "HX1"


def test_a_malformed_date_fails_at_start() -> None:
    with pytest.raises(settings.SettingsError, match="ASMEX_TODAY must be YYYY-MM-DD"):
        settings.load({"ASMEX_TODAY": "15/03/2027"})


def test_read_once_until_reloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    first = settings.current()
    os.environ["TELEGRAM_TOKEN"] = "changed-behind-its-back"
    try:
        assert settings.current() is first
        assert settings.current().telegram.token != "changed-behind-its-back"
        assert settings.reload().telegram.token == "changed-behind-its-back"
    finally:
        del os.environ["TELEGRAM_TOKEN"]
        settings.reload()


def test_secrets_and_placeholders() -> None:
    assert settings.check_secret("X", " s3cret ") == "s3cret"
    for value in ("", "  ", "changeme", "TODO", None):
        with pytest.raises(settings.SettingsError, match="X is not set"):
            settings.check_secret("X", value)


def test_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASMEX_TODAY", "2027-01-02")
    assert core_clock.today() == date(2027, 1, 2)
    monkeypatch.delenv("ASMEX_TODAY")
    assert core_clock.today() == datetime.now(settings.TIMEZONE).date()


def test_nothing_else_reads_the_environment() -> None:
    readers = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "core" / "settings.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                    readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []


def test_the_servers_secrets_and_limits() -> None:
    loaded = settings.load(
        {
            "REST_TOKEN": " r-token ",
            "ACTION_SERVER_TOKEN": "a-token",
            "CONSOLE_SECRET": "c",
            "ACTIONS_HOST": "0.0.0.0",
            "ACTIONS_PORT": "6055",
            "RETENTION_DAYS": "30",
        }
    )
    assert (loaded.rest_token, loaded.action_server_token, loaded.console_secret) == (
        "r-token",
        "a-token",
        "c",
    )
    assert (loaded.actions_host, loaded.actions_port, loaded.retention_days) == (
        "0.0.0.0",
        6055,
        30,
    )
    defaults = settings.load({})
    assert (defaults.actions_host, defaults.actions_port, defaults.retention_days) == (
        "127.0.0.1",
        5055,
        180,
    )
    for bad in ("thirty", "0", "-5"):
        with pytest.raises(settings.SettingsError, match="RETENTION_DAYS"):
            settings.load({"RETENTION_DAYS": bad})


def test_the_console_settings() -> None:
    defaults = settings.load({})
    assert (defaults.console_host, defaults.console_port) == ("127.0.0.1", 8080)
    assert not defaults.console_secure_cookies and defaults.console_forwarded_allow_ips == ""
    loaded = settings.load(
        {
            "CONSOLE_HOST": "0.0.0.0",
            "CONSOLE_PORT": "9090",
            "CONSOLE_SECURE_COOKIES": " True ",
            "CONSOLE_FORWARDED_ALLOW_IPS": "127.0.0.1",
        }
    )
    assert (loaded.console_host, loaded.console_port) == ("0.0.0.0", 9090)
    assert loaded.console_secure_cookies and loaded.console_forwarded_allow_ips == "127.0.0.1"
    assert not settings.load({"CONSOLE_SECURE_COOKIES": "false"}).console_secure_cookies
    with pytest.raises(settings.SettingsError, match="CONSOLE_SECURE_COOKIES"):
        settings.load({"CONSOLE_SECURE_COOKIES": "peut-être"})
    with pytest.raises(settings.SettingsError, match="CONSOLE_PORT"):
        settings.load({"CONSOLE_PORT": "http"})
