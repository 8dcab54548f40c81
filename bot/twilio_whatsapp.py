"""Old dotted path of TwilioWhatsAppInput (now in bot.channels.twilio).

Kept so that a credentials.yml written before the move still loads.
"""

from bot.channels.twilio import TwilioWhatsAppInput

__all__ = ["TwilioWhatsAppInput"]
