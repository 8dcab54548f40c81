"""A bare answer (`inform`) outside a form goes to the question the assistant asked last."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import AWAITING
from actions.markets import ActionMarketProfile, ActionTradeAgreement
from actions.services import ActionRegionalOffice

#: awaiting_answer value -> the action that asked for it.
ROUTES: dict[str, type[Action]] = {
    "market": ActionMarketProfile,
    "agreement": ActionTradeAgreement,
    "region": ActionRegionalOffice,
}


class ActionRouteInform(Action):
    """Answer a bare "Kenya" / "Agadir" with the action that asked, or ask to rephrase."""

    def name(self) -> str:
        return "action_route_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        route = ROUTES.get(tracker.get_slot(AWAITING) or "")
        if route is None:
            dispatcher.utter_message(response="utter_please_rephrase")
            return []
        return await route().run(dispatcher, tracker, domain)
