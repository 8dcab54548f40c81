"""Button payloads longer than a platform allows in a button, sent as a short key instead.

Telegram gives a button 64 bytes of callback data, and most of this assistant's payloads
(``/ask_mission_details{"event_slug": "sample-dakar-b2b-mission-2026"}``) are longer. Such a
payload is stored under a key derived from its hash (the same payload always gets the same key)
in the knowledge-base database (kb.callbacks), so a button still works after a restart, on
another replica, or when it was sent by another process (the notifier). A process also keeps
the keys it made in memory, so its own buttons work while the database is down.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Final

from kb import callbacks as callbacks_db
from kb.access import DatabaseUnavailable, run_db

logger = logging.getLogger(__name__)

#: Marks button data that is a key, not a payload (a payload starting with it is stored too).
KEY_PREFIX: Final = "~"
#: Keys remembered in memory per process.
MEMORY_SIZE: Final = 10_000


def payload_key(payload: str) -> str:
    """The short key of a payload: the prefix and 128 bits of its SHA-256, 23 characters."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()[:16]
    return KEY_PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def fits(payload: str, max_bytes: int) -> bool:
    """True when the payload can be sent as button data as it is."""
    return len(payload.encode("utf-8")) <= max_bytes and not payload.startswith(KEY_PREFIX)


class CallbackStore:
    """Turns payloads into button data and button data back into payloads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._memory: OrderedDict[str, str] = OrderedDict()
        self._unsaved: set[str] = set()  # keys made while the database was down

    def _remember(self, key: str, payload: str) -> None:
        self._memory[key] = payload
        self._memory.move_to_end(key)
        while len(self._memory) > MEMORY_SIZE:
            self._memory.popitem(last=False)

    async def encode(self, payloads: Sequence[str]) -> list[str]:
        """Button data for each payload: the payload itself when it fits, else its key."""
        data, new = [], {}
        for payload in payloads:
            if fits(payload, self.max_bytes):
                data.append(payload)
                continue
            key = payload_key(payload)
            data.append(key)
            if key not in self._memory or key in self._unsaved:
                new[key] = payload
            self._remember(key, payload)
        if new:
            try:
                await run_db(callbacks_db.save_payloads, payloads=new)
            except DatabaseUnavailable:
                logger.warning("%d button payloads kept in memory only (database down)", len(new))
                self._unsaved.update(new)
            else:
                self._unsaved.difference_update(new)
        return data

    async def decode(self, data: str) -> str | None:
        """The payload of a pressed button; None for a key nobody knows any more."""
        if not data.startswith(KEY_PREFIX):
            return data
        payload = self._memory.get(data)
        if payload is None:
            try:
                payload = await run_db(callbacks_db.find_payload, key=data)
            except DatabaseUnavailable:
                return None
            if payload is None:
                return None
        self._remember(data, payload)
        return payload
