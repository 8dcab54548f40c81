"""Old dotted path of CheckedRestInput (now in bot.channels.rest).

Kept so that a credentials.yml written before the move still loads.
"""

from bot.channels.rest import CheckedRestInput

__all__ = ["CheckedRestInput"]
