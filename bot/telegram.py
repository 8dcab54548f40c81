"""Old dotted path of TelegramInput (now in bot.channels.telegram).

Kept so that a credentials.yml written before the move still loads.
"""

from bot.channels.telegram import TelegramInput

__all__ = ["TelegramInput"]
