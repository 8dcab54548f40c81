"""The Telegram channel's settings: credentials.yml's section (TELEGRAM_*), checked at start.

An empty token turns the channel off; a placeholder, a malformed token, or webhook mode without
its public address and secret stop `rasa run` with one clear line (TelegramSettingsError is a
RasaException). The notifier needs only the token and base URL (outbound/telegram.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from rasa.shared.exceptions import RasaException

from core.settings import SettingsError, is_placeholder
from outbound import credentials
from outbound.telegram import DEFAULT_BASE_URL, TOKEN_PATTERN

logger = logging.getLogger(__name__)

MODES: Final = ("polling", "webhook")
#: Telegram's rule for secret tokens (1-256 of these characters); we ask for at least 16.
SECRET_PATTERN: Final = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class TelegramSettingsError(SettingsError, RasaException):
    """credentials.yml's Telegram section is wrong; `rasa run` stops with this message."""


@dataclass(frozen=True)
class TelegramSettings:
    """The channel's settings, checked (an empty token turns the channel off)."""

    token: str = ""
    mode: str = "polling"
    webhook_url: str = ""
    secret_token: str = ""
    base_url: str = DEFAULT_BASE_URL

    @property
    def enabled(self) -> bool:
        """False when no token is configured."""
        return bool(self.token)


def _check_token(token: str) -> None:
    if is_placeholder(token):
        raise TelegramSettingsError(
            f"TELEGRAM_TOKEN holds the placeholder {token!r}: put the token @BotFather gave you "
            "in .env, or leave it empty to turn the Telegram channel off."
        )
    if not TOKEN_PATTERN.match(token):
        raise TelegramSettingsError(
            "TELEGRAM_TOKEN does not look like a bot token from @BotFather "
            "(digits, a colon, then letters, digits, '-' and '_')."
        )


def _check_webhook(webhook_url: str, secret_token: str, base_url: str) -> None:
    if not webhook_url:
        raise TelegramSettingsError(
            "Telegram webhook mode needs TELEGRAM_WEBHOOK_URL, the public HTTPS address of "
            "/webhooks/telegram/webhook on this server."
        )
    if base_url == DEFAULT_BASE_URL and not webhook_url.startswith("https://"):
        raise TelegramSettingsError("TELEGRAM_WEBHOOK_URL must be an https:// address.")
    if not secret_token or is_placeholder(secret_token):
        raise TelegramSettingsError(
            "Telegram webhook mode needs TELEGRAM_SECRET_TOKEN, a random secret "
            "(e.g. `openssl rand -hex 32`) that Telegram sends back with every update."
        )
    if not SECRET_PATTERN.match(secret_token):
        raise TelegramSettingsError(
            "TELEGRAM_SECRET_TOKEN must be 16 to 256 characters among A-Z, a-z, 0-9, '_' and '-'."
        )


def telegram_settings(values: Mapping[str, Any]) -> TelegramSettings:
    """Check credentials.yml's Telegram section; raise TelegramSettingsError if it is wrong."""
    mode = credentials.text(values, "mode").lower() or "polling"
    if mode not in MODES:
        raise TelegramSettingsError(f"Telegram mode must be polling or webhook, not {mode!r}.")
    base_url = credentials.text(values, "base_url") or DEFAULT_BASE_URL
    if not base_url.startswith(("https://", "http://")):
        raise TelegramSettingsError(f"TELEGRAM_BASE_URL must be an http(s) URL, not {base_url!r}.")
    token = credentials.text(values, "token")
    if not token:
        return TelegramSettings(mode=mode, base_url=base_url)
    _check_token(token)
    webhook_url = credentials.text(values, "webhook_url")
    secret_token = credentials.text(values, "secret_token")
    if mode == "webhook":
        _check_webhook(webhook_url, secret_token, base_url)
    elif webhook_url:
        logger.warning("Telegram mode is polling: TELEGRAM_WEBHOOK_URL is ignored.")
    return TelegramSettings(token, mode, webhook_url, secret_token, base_url)
