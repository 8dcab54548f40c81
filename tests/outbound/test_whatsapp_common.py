"""What the two WhatsApp senders share, and the text splitting and secrets they rely on."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.settings import SettingsError, check_secret
from outbound.text import split_text, truncate
from outbound.whatsapp_common import numbered_list, parse_language_map, within_window


@pytest.mark.parametrize("limit", [10, 50, 4096])
def test_split_text_keeps_every_character_within_the_limit(limit: int) -> None:
    text = "\n".join(f"ligne {i} " + "mot " * (i % 7) for i in range(60))
    parts = split_text(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


def test_split_text_cuts_between_lines_and_a_long_word_anywhere() -> None:
    assert split_text("aaa\nbbb\nccc", 7) == ["aaa\nbbb", "ccc"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("  \n ", 10) == []


def test_truncate_adds_an_ellipsis_only_when_cutting() -> None:
    assert truncate("Oui", 20) == "Oui"
    cut = truncate("Mission B2B à Dakar (15-18 mars)", 20)
    assert len(cut) == 20 and cut.endswith("…")
    assert truncate("a  b\nc", 20) == "a b c"


def test_numbered_list() -> None:
    buttons = [{"title": "Oui", "payload": "/affirm"}, {"payload": "/deny"}]
    assert numbered_list("Confirmez ?", buttons) == "Confirmez ?\n\n1. Oui\n2. /deny"
    assert numbered_list("", buttons) == "1. Oui\n2. /deny"


def test_within_window() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    assert within_window(now - timedelta(hours=23, minutes=59), now)
    assert not within_window(now - timedelta(hours=24), now)
    assert not within_window(None, now)
    assert within_window(datetime(2026, 11, 22, 11), now)  # naive = UTC (SQLite)


def test_parse_language_map() -> None:
    default = {"fr": "fr", "ar": "ar", "en": "en"}
    assert parse_language_map("", default) == default
    assert parse_language_map("en=en_US, ar=ar", default) == {"fr": "fr", "ar": "ar", "en": "en_US"}
    assert parse_language_map("HX123", {}) == {"fr": "HX123", "ar": "HX123", "en": "HX123"}
    with pytest.raises(SettingsError):
        parse_language_map("de=de", default)


@pytest.mark.parametrize("value", ["", "  ", "changeme", "TODO", None])
def test_check_secret_refuses_placeholders(value: str | None) -> None:
    with pytest.raises(SettingsError, match="WHATSAPP_APP_SECRET"):
        check_secret("WHATSAPP_APP_SECRET", value)
