"""Old dotted path of ErasingSQLTrackerStore (now in bot.extensions.tracker_store).

Kept so that a endpoints.yml written before the move still loads.
"""

from bot.extensions.tracker_store import ErasingSQLTrackerStore

__all__ = ["ErasingSQLTrackerStore"]
