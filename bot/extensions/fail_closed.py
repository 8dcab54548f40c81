"""The conversation store fails loudly: a database error is a "technical problem" for the
member, never a conversation started over or silently forgotten.

Rasa 3.6 wraps every tracker store in ``FailSafeTrackerStore``. When reading a conversation
fails it answers "no conversation" (Rasa starts an empty one, so a member in the middle of the
registration form finds themselves at the start); when saving fails it saves into a memory
store nobody reads again, after the turn's replies were sent (the member's answer seems taken,
and is lost). ``install()`` makes its reads and writes raise TrackerStoreUnavailable instead:
Rasa's turn stops, the channels answer with their "technical problem, try again" text
(bot/channels/turns.py), and the stored conversation stays as it was, so the member's next try
goes on from there.

Installed by ``bot.extensions.install()``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from core.redact import user_ref

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RasaException):
    """The conversation store could not be read or written."""


def _unavailable(
    store: FailSafeTrackerStore, what: str, sender_id: str | None, error: Exception
) -> TrackerStoreUnavailable:
    name = type(store._tracker_store).__name__
    whose = f" of {user_ref(sender_id)}" if sender_id else ""
    logger.error("%s: %s the conversation%s failed (%s)", name, what, whose, type(error).__name__)
    return TrackerStoreUnavailable(f"{name}: {what} failed ({type(error).__name__})")


async def retrieve(self: FailSafeTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    """The primary store's conversation; TrackerStoreUnavailable when it fails."""
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception as error:  # noqa: BLE001 - whatever the store raises
        raise _unavailable(self, "reading", sender_id, error) from error


async def retrieve_full_tracker(
    self: FailSafeTrackerStore, sender_id: str
) -> DialogueStateTracker | None:
    """The primary store's whole conversation; TrackerStoreUnavailable when it fails."""
    try:
        return await self._tracker_store.retrieve_full_tracker(sender_id)
    except Exception as error:  # noqa: BLE001 - whatever the store raises
        raise _unavailable(self, "reading", sender_id, error) from error


async def save(self: FailSafeTrackerStore, tracker: DialogueStateTracker) -> None:
    """Save in the primary store; TrackerStoreUnavailable when it fails (nothing kept aside)."""
    try:
        await self._tracker_store.save(tracker)
    except Exception as error:  # noqa: BLE001 - whatever the store raises
        raise _unavailable(self, "saving", tracker.sender_id, error) from error


async def keys(self: FailSafeTrackerStore) -> Iterable[str]:
    """The primary store's conversation ids; TrackerStoreUnavailable when it fails."""
    try:
        return await self._tracker_store.keys()
    except Exception as error:  # noqa: BLE001 - whatever the store raises
        raise _unavailable(self, "listing", None, error) from error


def install() -> None:
    """Make FailSafeTrackerStore raise instead of falling back (idempotent)."""
    FailSafeTrackerStore.retrieve = retrieve  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker  # type: ignore[method-assign]
    FailSafeTrackerStore.save = save  # type: ignore[method-assign]
    FailSafeTrackerStore.keys = keys  # type: ignore[method-assign]
