"""The console's only way to change a conversation: the Rasa server's console channel
(bot.channels.console), called with CONSOLE_RASA_TOKEN. The console never writes the
conversation store itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import httpx

from core import settings as core_settings

#: Seconds the console waits for the Rasa server (a reply's delivery included).
TIMEOUT: Final = 30.0
ACTIONS: Final = ("take", "reply", "hand-back")


@dataclass(frozen=True)
class DoorAnswer:
    """What the Rasa server answered: its HTTP status, and its JSON when it succeeded."""

    status: int
    #: The handoff's status after the action, and the member's delivery (sent/failed/none).
    handoff_status: str = ""
    delivery: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200


async def call(
    config: core_settings.Settings,
    action: str,
    handoff_id: int,
    staff_id: int,
    text: str = "",
    transport: httpx.AsyncBaseTransport | None = None,
) -> DoorAnswer:
    """POST ``action`` for the handoff to the Rasa server; status 502 when it cannot be
    reached."""
    if action not in ACTIONS:
        raise ValueError(action)
    body: dict[str, Any] = {"staff_id": staff_id}
    if action == "reply":
        body["text"] = text
    url = f"{config.console_rasa_url}/webhooks/console/handoffs/{handoff_id}/{action}"
    headers = {"Authorization": f"Bearer {config.console_rasa_token}"}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, transport=transport) as client:
            answer = await client.post(url, json=body, headers=headers)
    except httpx.HTTPError:
        return DoorAnswer(502)
    if answer.status_code != 200:
        return DoorAnswer(answer.status_code)
    data = answer.json()
    return DoorAnswer(200, str(data.get("status", "")), str(data.get("delivery", "")))
