"""Rasa input channels: REST, Telegram, WhatsApp Cloud API, WhatsApp through Twilio."""
