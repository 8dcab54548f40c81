"""utter_out_of_scope is a friendly redirect in French, Arabic and English that says what the
assistant does (issue 21), not a bare "not understood"."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

DOMAIN = Path(__file__).resolve().parents[1] / "domain.yml"


def _variants() -> dict[str, str]:
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    texts = {}
    for variant in domain["responses"]["utter_out_of_scope"]:
        conditions = variant.get("condition") or []
        lang = next((c["value"] for c in conditions if c.get("name") == "language"), "fr")
        texts[lang] = variant["text"]
    return texts


@pytest.mark.parametrize(
    ("lang", "topics"),
    [
        ("fr", ["missions", "salons", "marchés", "blocs", "accords", "Tijaria", "alertes"]),
        ("ar", ["البعثات", "المعارض", "الأسواق", "التكتلات", "الاتفاقيات", "تجارية", "تنبيهات"]),
        ("en", ["missions", "fairs", "markets", "blocs", "agreements", "Tijaria", "alerts"]),
    ],
)
def test_the_redirect_lists_what_the_assistant_does(lang: str, topics: list[str]) -> None:
    text = _variants()[lang]
    for topic in topics:
        assert topic in text, (lang, topic)


def test_one_variant_per_reply_language() -> None:
    assert set(_variants()) == {"fr", "ar", "en"}
