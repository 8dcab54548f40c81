"""core/text.py: what a received message may hold."""

from __future__ import annotations

import pytest

from core.text import clean_text


@pytest.mark.parametrize(
    ("received", "kept"),
    [
        ("Saphir\x00 Export", "Saphir Export"),
        ("\x00" * 50, ""),
        ("السلام\x00عليكم", "السلامعليكم"),
        ("\x1b[31mrouge\x1b[0m", "[31mrouge[0m"),
        ("ligne 1\nligne 2\r\n\tfin", "ligne 1\nligne 2\r\n\tfin"),
        ("a\x7fb\x85c\x9fd", "abcd"),
        ("lone \ud800 half", "lone \ufffd half"),
        ("bghit nsjel f Dakar 🇸🇳", "bghit nsjel f Dakar 🇸🇳"),
        ("\u202eevil", "\u202eevil"),  # a format character, not a control: shown as sent
    ],
)
def test_control_characters_go_and_text_stays(received: str, kept: str) -> None:
    assert clean_text(received) == kept
    clean_text(received).encode("utf-8")  # storable as UTF-8
