"""Old dotted path of CachedTEDPolicy (now in bot.extensions.policies).

Kept so that a config.yml or a trained model written before the move still loads.
"""

from bot.extensions.policies import CachedTEDPolicy

__all__ = ["CachedTEDPolicy"]
