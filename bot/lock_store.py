"""Old dotted path of AtomicRedisLockStore (now in bot.extensions.lock_store).

Kept so that a endpoints.production.yml written before the move still loads.
"""

from bot.extensions.lock_store import AtomicRedisLockStore

__all__ = ["AtomicRedisLockStore"]
