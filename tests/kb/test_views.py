"""The repositories' views: texts in three languages, frozen dataclasses."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.orm import Session

from kb.events import get_event_by_slug
from kb.views import Texts
from tests.kb.conftest import TODAY


def test_texts_get_falls_back_to_french() -> None:
    texts = Texts(fr="Bonjour", ar="مرحبا", en="")
    assert texts.get("ar") == "مرحبا"
    assert texts.get("en") == "Bonjour"
    assert texts.get("ary") == "Bonjour"
    assert texts.get(None) == "Bonjour"


def test_views_are_frozen(events: Session) -> None:
    view = get_event_by_slug(events, slug="soon-2026", today=TODAY)
    assert view is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.slug = "other"  # type: ignore[misc]
