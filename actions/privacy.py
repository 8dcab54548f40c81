"""Delete my data: after the user confirmed, erase their personal data and the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import apologise, channel_identity
from core import clock
from kb.access import DatabaseUnavailable, run_db
from kb.privacy import erase_user_data


class ActionDeleteMyData(Action):
    """Erase the user's data (kb.privacy), confirm, and make the tracker forget.

    Runs only after the user affirmed utter_ask_delete_confirm (data/rules/info.yml). When the
    database fails nothing is erased and the conversation is kept, so the user can try again.
    """

    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        channel, user = channel_identity(tracker)
        try:
            report = await run_db(
                erase_user_data, channel=channel, channel_user_id=user, today=clock.today()
            )
        except DatabaseUnavailable:
            return apologise(dispatcher, self.name())
        if report.user_found:
            dispatcher.utter_message(
                response="utter_delete_done",
                registrations=str(report.registrations_anonymised),
                cancelled=str(report.registrations_cancelled),
                subscriptions=str(report.subscriptions_deleted),
                handoffs=str(report.handoffs_deleted),
            )
        else:
            dispatcher.utter_message(response="utter_delete_done_nothing_stored")
        # The reply above is generated before these events apply, in the user's language.
        return [AllSlotsReset(), Restarted()]
