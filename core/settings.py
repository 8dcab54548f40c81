"""The one module that reads the environment: every setting, typed, read once at start-up.

``current()`` builds the settings from ``os.environ`` on first use and keeps them; nothing else
in the project reads the environment. ``reload()`` reads it again (a test that changes the
environment, a process that loaded ``.env`` late). Secrets are checked where they are used
(``check_secret``), so a channel that is off needs none of its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KB_DIR = PROJECT_ROOT / "data" / "kb"
VAR_DIR = PROJECT_ROOT / "var"
TIMEZONE = ZoneInfo("Africa/Casablanca")

_PLACEHOLDERS = frozenset({"", "changeme", "change-me", "xxx", "your-token-here", "todo"})


class SettingsError(RuntimeError):
    """A required setting is missing, malformed or still holds a placeholder."""


def is_placeholder(value: str) -> bool:
    """True for an empty secret or one still holding an example value such as "changeme"."""
    return value.strip().lower() in _PLACEHOLDERS


def check_secret(name: str, value: object) -> str:
    """``value`` stripped; SettingsError naming ``name`` when empty or still a placeholder."""
    text = str(value or "").strip()
    if is_placeholder(text):
        raise SettingsError(f"{name} is not set (see .env.example)")
    return text


#: Morocco's public holidays on fixed dates (MM-DD): New Year, Proclamation of Independence
#: (11 January), Amazigh New Year (14 January, a public holiday since 2024), Labour Day, Throne
#: Day (30 July), Oued Eddahab (14 August), Revolution of the King and the People (20 August),
#: Youth Day (21 August), Green March (6 November), Independence Day (18 November). The
#: religious holidays follow the lunar calendar: staff add their dates each year, after this
#: list (OFFICE_CLOSED_DAYS=01-01,...,11-18,YYYY-MM-DD,YYYY-MM-DD).
MOROCCO_FIXED_HOLIDAYS = "01-01,01-11,01-14,05-01,07-30,08-14,08-20,08-21,11-06,11-18"


@dataclass(frozen=True)
class TelegramEnv:
    """TELEGRAM_*: the bot's token and how updates arrive (checked by the channel)."""

    token: str = ""
    mode: str = ""
    webhook_url: str = ""
    secret_token: str = ""
    base_url: str = ""


@dataclass(frozen=True)
class WhatsAppEnv:
    """WHATSAPP_*: the Cloud API number and its proactive-message template."""

    verify_token: str = ""
    app_secret: str = ""
    access_token: str = ""
    phone_number_id: str = ""
    api_url: str = ""
    template_name: str = ""
    template_languages: str = ""
    #: WHATSAPP_HANDOFF_TEMPLATE: the approved template that carries a staff reply outside
    #: the 24-hour window and invites the member to reply (its one parameter: the reply).
    handoff_template: str = ""


@dataclass(frozen=True)
class TwilioEnv:
    """TWILIO_*: the Twilio account, its WhatsApp sender and content templates."""

    account_sid: str = ""
    auth_token: str = ""
    whatsapp_number: str = ""
    webhook_url: str = ""
    api_url: str = ""
    content_sid: str = ""
    #: TWILIO_HANDOFF_CONTENT_SID: the content template (HX..., or fr=HX...,ar=...,en=...)
    #: carrying a staff reply outside the 24-hour window, inviting the member to reply.
    handoff_content_sid: str = ""


@dataclass(frozen=True)
class SmtpEnv:
    """SMTP_*: the mail server staff alerts leave through (none when ``host`` is empty)."""

    host: str = ""
    port: int = 587
    user: str = ""
    password: str = ""
    #: SMTP_FROM: the sender address of the alerts.
    sender: str = ""
    #: SMTP_STARTTLS: upgrade the connection with STARTTLS before logging in (default on).
    starttls: bool = True


@dataclass(frozen=True)
class Settings:
    """Every setting of the project (docs/production.md, .env.example)."""

    database_url: str
    #: ASMEX_TODAY: a fixed "today" for demos and tests; None = the real date in Morocco.
    today: date | None = None
    #: REST_TOKEN: the bearer token every REST client sends; empty = the channel refuses all.
    rest_token: str = ""
    #: ACTION_SERVER_TOKEN: the secret Rasa sends the action server with every call.
    action_server_token: str = ""
    #: CONSOLE_SECRET: signs the staff console's sessions (and keys the logs' user references).
    console_secret: str = ""
    #: ACTIONS_HOST / ACTIONS_PORT: where the action server listens (loopback by default).
    actions_host: str = "127.0.0.1"
    actions_port: int = 5055
    #: RETENTION_DAYS: conversation events and inbound records older than this are pruned.
    retention_days: int = 180
    #: CONSOLE_HOST / CONSOLE_PORT: where the staff console listens (loopback by default).
    console_host: str = "127.0.0.1"
    console_port: int = 8080
    #: CONSOLE_SECURE_COOKIES: mark the console's cookies Secure (it is served over HTTPS).
    console_secure_cookies: bool = False
    #: CONSOLE_FORWARDED_ALLOW_IPS: proxies whose X-Forwarded-For gives the client's address
    #: (comma-separated); empty = the connection's own address is the client's.
    console_forwarded_allow_ips: str = ""
    #: CONSOLE_PUBLIC_URL: the console's address as staff open it (links in staff alerts);
    #: empty = http://CONSOLE_HOST:CONSOLE_PORT.
    console_public_url: str = ""
    #: HEAD_OFFICE_EMAIL: the head office's address for staff alerts (besides the admins).
    head_office_email: str = ""
    #: STAFF_TELEGRAM_CHAT_ID: the staff chat staff alerts are posted in (the bot's token).
    staff_telegram_chat_id: str = ""
    #: HANDOFF_ESCALATE_MINUTES: a handoff nobody took for this long goes to the head office.
    handoff_escalate_minutes: int = 15
    #: CONSOLE_RASA_TOKEN: the bearer token the console sends the Rasa server's console
    #: channel (take, reply, hand back); empty = that channel refuses everything.
    console_rasa_token: str = ""
    #: CONSOLE_RASA_URL: where the console reaches the Rasa server; empty =
    #: http://127.0.0.1:$RASA_PORT.
    console_rasa_url: str = ""
    #: CONSOLE_LIVE_SECONDS: how often the requests inbox and a handoff's transcript refresh
    #: themselves in the browser.
    console_live_seconds: int = 10
    #: OFFICE_HOURS: when staff answer handoffs, e.g. "Mon-Fri 09:00-17:00" (Morocco's time).
    office_hours: str = "Mon-Fri 09:00-17:00"
    #: OFFICE_CLOSED_DAYS: days the office is closed, "MM-DD" (every year) or "YYYY-MM-DD";
    #: unset, Morocco's fixed-date public holidays (MOROCCO_FIXED_HOLIDAYS).
    office_closed_days: str = MOROCCO_FIXED_HOLIDAYS
    smtp: SmtpEnv = field(default_factory=SmtpEnv)
    telegram: TelegramEnv = field(default_factory=TelegramEnv)
    whatsapp: WhatsAppEnv = field(default_factory=WhatsAppEnv)
    twilio: TwilioEnv = field(default_factory=TwilioEnv)


def _section(cls: type, prefix: str, environ: Mapping[str, str]) -> object:
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return cls(**{name: environ.get(f"{prefix}{name.upper()}", "").strip() for name in names})


def _today(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise SettingsError(f"ASMEX_TODAY must be YYYY-MM-DD, got {value!r}") from exc


def _integer(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {value!r}") from None
    if number <= 0:
        raise SettingsError(f"{name} must be positive, got {value!r}")
    return number


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be true or false, got {value!r}")


def _smtp(environ: Mapping[str, str]) -> SmtpEnv:
    starttls = environ.get("SMTP_STARTTLS", "").strip()
    return SmtpEnv(
        host=environ.get("SMTP_HOST", "").strip(),
        port=_integer(environ, "SMTP_PORT", 587),
        user=environ.get("SMTP_USER", "").strip(),
        password=environ.get("SMTP_PASSWORD", "").strip(),
        sender=environ.get("SMTP_FROM", "").strip(),
        starttls=_flag(environ, "SMTP_STARTTLS") if starttls else True,
    )


def load(environ: Mapping[str, str]) -> Settings:
    """Settings from an environment mapping; SettingsError for a malformed value."""
    database_url = environ.get("DATABASE_URL", "").strip()
    return Settings(
        database_url=database_url or f"sqlite:///{VAR_DIR / 'asmex.db'}",
        today=_today(environ.get("ASMEX_TODAY", "").strip()),
        rest_token=environ.get("REST_TOKEN", "").strip(),
        action_server_token=environ.get("ACTION_SERVER_TOKEN", "").strip(),
        console_secret=environ.get("CONSOLE_SECRET", "").strip(),
        actions_host=environ.get("ACTIONS_HOST", "").strip() or "127.0.0.1",
        actions_port=_integer(environ, "ACTIONS_PORT", 5055),
        retention_days=_integer(environ, "RETENTION_DAYS", 180),
        console_host=environ.get("CONSOLE_HOST", "").strip() or "127.0.0.1",
        console_port=_integer(environ, "CONSOLE_PORT", 8080),
        console_secure_cookies=_flag(environ, "CONSOLE_SECURE_COOKIES"),
        console_forwarded_allow_ips=environ.get("CONSOLE_FORWARDED_ALLOW_IPS", "").strip(),
        console_public_url=environ.get("CONSOLE_PUBLIC_URL", "").strip().rstrip("/"),
        head_office_email=environ.get("HEAD_OFFICE_EMAIL", "").strip(),
        staff_telegram_chat_id=environ.get("STAFF_TELEGRAM_CHAT_ID", "").strip(),
        handoff_escalate_minutes=_integer(environ, "HANDOFF_ESCALATE_MINUTES", 15),
        console_rasa_token=environ.get("CONSOLE_RASA_TOKEN", "").strip(),
        console_rasa_url=(
            environ.get("CONSOLE_RASA_URL", "").strip().rstrip("/")
            or f"http://127.0.0.1:{_integer(environ, 'RASA_PORT', 5005)}"
        ),
        console_live_seconds=_integer(environ, "CONSOLE_LIVE_SECONDS", 10),
        office_hours=environ.get("OFFICE_HOURS", "").strip() or "Mon-Fri 09:00-17:00",
        office_closed_days=environ.get("OFFICE_CLOSED_DAYS", MOROCCO_FIXED_HOLIDAYS).strip(),
        smtp=_smtp(environ),
        telegram=_section(TelegramEnv, "TELEGRAM_", environ),  # type: ignore[arg-type]
        whatsapp=_section(WhatsAppEnv, "WHATSAPP_", environ),  # type: ignore[arg-type]
        twilio=_section(TwilioEnv, "TWILIO_", environ),  # type: ignore[arg-type]
    )


_current: Settings | None = None


def current() -> Settings:
    """The settings of this process, read from the environment on first use."""
    global _current
    if _current is None:
        _current = load(os.environ)
    return _current


def reload() -> Settings:
    """Read the environment again (tests that change it; nothing on the request path)."""
    global _current
    _current = None
    return current()


def database_url() -> str:
    """SQLAlchemy URL of the knowledge base; an SQLite file under var/ by default."""
    return current().database_url
