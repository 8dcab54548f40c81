"""action_route_inform sends a bare answer to the question the assistant asked."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import followup
from actions.followup import ActionRouteInform


def tracker(awaiting: str | None) -> Tracker:
    latest = {"intent": {"name": "inform"}, "entities": [], "text": "Agadir"}
    events = [{"event": "user", "text": "Agadir", "parse_data": latest}]
    return Tracker("u", {"awaiting_answer": awaiting}, latest, events, False, None, {}, "")


@pytest.mark.parametrize("awaiting", ["market", "agreement", "region"])
async def test_routes_to_the_action_that_asked(
    monkeypatch: pytest.MonkeyPatch, awaiting: str
) -> None:
    called: list[str] = []
    original = followup.ROUTES[awaiting]

    async def fake_run(self: Any, dispatcher: Any, tracker: Any, domain: Any) -> list:
        called.append(self.name())
        return []

    monkeypatch.setattr(original, "run", fake_run)
    await ActionRouteInform().run(CollectingDispatcher(), tracker(awaiting), {})
    assert called == [original().name()]


async def test_nothing_asked_means_please_rephrase() -> None:
    dispatcher = CollectingDispatcher()
    assert await ActionRouteInform().run(dispatcher, tracker(None), {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_please_rephrase"]
