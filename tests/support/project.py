"""What unit and end-to-end tests share about the project: its root, its channel settings,
free ports."""

from __future__ import annotations

import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: Every channel setting (credentials.yml expands them; the notifiers read the template ones);
#: empty = that channel is off. scripts/serve.sh exports the same list.
CHANNEL_VARIABLES = (
    "TELEGRAM_TOKEN",
    "TELEGRAM_MODE",
    "TELEGRAM_BASE_URL",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_SECRET_TOKEN",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_API_URL",
    "WHATSAPP_TEMPLATE_NAME",
    "WHATSAPP_TEMPLATE_LANGUAGES",
    "WHATSAPP_HANDOFF_TEMPLATE",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_WHATSAPP_NUMBER",
    "TWILIO_WEBHOOK_URL",
    "TWILIO_API_URL",
    "TWILIO_CONTENT_SID",
    "TWILIO_HANDOFF_CONTENT_SID",
    # The console channel's token (empty: it refuses everything).
    "CONSOLE_RASA_TOKEN",
)
