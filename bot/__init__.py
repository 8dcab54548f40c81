"""Channels: Telegram and WhatsApp input channels and proactive messaging (issue #5)."""
