"""The staff alerts' wording in French, Arabic and English: every line in the reader's
language, Morocco's time, the link, and nothing of the member but language and channel."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kb.handoff_alerts import HandoffAlert
from kb.views import Texts
from outbound.staff_texts import INTRO, LABELS, SUBJECT, body, subject

ALERT = HandoffAlert(
    handoff_id=42,
    region="oriental",
    region_name=Texts(fr="Oriental", ar="الشرق", en="Oriental"),
    language="ar",
    channel="telegram",
    created_at=datetime(2026, 1, 15, 9, 5, tzinfo=timezone.utc),
)
LINK = "https://console.asmex.ma/handoffs/42"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Région : Oriental", "Langue du membre : arabe", "Canal : Telegram"]),
        ("ar", ["الجهة: الشرق", "لغة العضو: العربية", "القناة: Telegram"]),
        ("en", ["Region: Oriental", "Member's language: Arabic", "Channel: Telegram"]),
    ],
)
def test_each_line_is_in_the_readers_language(language: str, expected: list[str]) -> None:
    for kind in ("new", "escalation"):
        text = body(ALERT, kind=kind, language=language, link=LINK)
        assert text.startswith(INTRO[kind][language])
        for line in expected:
            assert line in text.splitlines()
        assert "2026-01-15 10:05 (Africa/Casablanca)" in text  # UTC+1 in January
        assert text.endswith(LINK)
        assert "42" in subject(ALERT, kind=kind, language=language, minutes=15)


def test_every_wording_exists_in_three_languages() -> None:
    for table in (*SUBJECT.values(), *INTRO.values(), *LABELS.values()):
        assert set(table) == {"fr", "ar", "en"} and all(v.strip() for v in table.values())


def test_an_unknown_region_and_the_rest_channel() -> None:
    alert = HandoffAlert(42, None, None, "fr", "rest", ALERT.created_at)
    text = body(alert, kind="new", language="en", link=LINK)
    assert "Region: unknown region" in text and "Channel: REST" in text
    assert subject(alert, kind="escalation", language="en", minutes=20) == (
        "ASMEX: request #42 unanswered for 20 min (unknown region)"
    )
