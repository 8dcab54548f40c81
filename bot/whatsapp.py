"""Old dotted path of WhatsAppInput (now in bot.channels.whatsapp).

Kept so that a credentials.yml written before the move still loads.
"""

from bot.channels.whatsapp import WhatsAppInput

__all__ = ["WhatsAppInput"]
