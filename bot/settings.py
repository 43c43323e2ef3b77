"""Settings: one frozen object, read from the environment (and an optional ``.env``) once, at start-up.

Nobody else reads ``os.environ``. A bad value stops the start with a message naming the key. Every field's
help text is in ``FIELDS``, which ``mentor --help`` shows. Tokens are ``Secret``s: masked in ``repr``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.errors import ConfigError
from scheduler.timing import QuietHours, zone

ROOT = Path(__file__).resolve().parent.parent

FIELDS: dict[str, str] = {
    "MENTOR_DATABASE_URL": "SQLAlchemy URL of the database (default: an SQLite file under var/)",
    "MENTOR_MODEL_DIR": "where trained models are written and read (default: models/)",
    "MENTOR_LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR (default: INFO); message text is never logged",
    "MENTOR_RETENTION_DAYS": "days a conversation history is kept before it is purged (default: 180)",
    "MENTOR_DEFAULT_LANGUAGE": "reply language before anything is known of a person (default: fr)",
    "MENTOR_WEB_LISTEN": "host:port of the web server: webhooks, console, /healthz (default: 127.0.0.1:8080)",
    "MENTOR_TELEGRAM_TOKEN": "Telegram bot token; when set, `mentor run` starts the Telegram channel",
    "MENTOR_TELEGRAM_API_URL": "Bot API base URL (default: https://api.telegram.org/bot)",
    "MENTOR_TELEGRAM_WEBHOOK_URL": "public URL of the webhook; when set, webhook mode instead of polling",
    "MENTOR_TELEGRAM_WEBHOOK_SECRET": "secret sent in X-Telegram-Bot-Api-Secret-Token (webhook mode)",
    "MENTOR_TELEGRAM_RATE": "proactive Telegram messages a second, all chats together (default: 25)",
    "MENTOR_TELEGRAM_CHAT_RATE": "proactive Telegram messages a second to one chat (default: 1)",
    "MENTOR_WHATSAPP_TOKEN": "WhatsApp Cloud API token; with a phone number id, `mentor run` runs WhatsApp",
    "MENTOR_WHATSAPP_PHONE_NUMBER_ID": "the business phone number id messages are sent from",
    "MENTOR_WHATSAPP_BUSINESS_ACCOUNT_ID": "the WhatsApp business account id (message templates)",
    "MENTOR_WHATSAPP_APP_SECRET": "the Meta app secret that signs webhooks (X-Hub-Signature-256)",
    "MENTOR_WHATSAPP_VERIFY_TOKEN": "the token Meta's webhook subscription handshake must present",
    "MENTOR_WHATSAPP_API_URL": "Graph API base URL with its version (default: https://graph.facebook.com/v23.0)",
    "MENTOR_WHATSAPP_RATE": "WhatsApp messages a second from the phone number (default: 80)",
    "MENTOR_WHATSAPP_DAILY_LIMIT": "people reached outside the 24-hour window a day (default: 250)",
    "MENTOR_QUIET_HOURS": "local hours when no reminder or alert is sent (default: 21:00-09:00)",
    "MENTOR_DEFAULT_TIMEZONE": "time zone of people with no cohort or country (default: Africa/Casablanca)",
    "MENTOR_CALL_ALERT_DAYS": "days before a call closes when subscribers are told (default: 7,1)",
}
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Secret:
    """A value that never shows in ``repr``, logs or tracebacks; ``reveal()`` gives it to who needs it."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram channel's settings; ``webhook_url`` set means webhook mode."""

    token: Secret
    api_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    rate_per_second: float = 25.0
    chat_rate_per_second: float = 1.0


@dataclass(frozen=True)
class WhatsAppSettings:
    """The WhatsApp channel's settings (Cloud API); secrets are masked."""

    token: Secret
    phone_number_id: str
    business_account_id: str | None = None
    app_secret: Secret | None = None
    verify_token: Secret | None = None
    api_url: str = "https://graph.facebook.com/v23.0"
    rate_per_second: float = 80.0
    daily_limit: int = 250


@dataclass(frozen=True)
class DeliverySettings:
    """When proactive messages may go: quiet hours, the zone of people we know nothing about, call alerts."""

    quiet_hours: QuietHours = field(default_factory=QuietHours)
    default_timezone: str = "Africa/Casablanca"
    call_alert_days: tuple[int, ...] = (7, 1)


REPLY_LANGUAGES = ("fr", "ar", "en", "it", "ary", "aeb")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class Settings:
    """Everything the composition root needs to build the bot."""

    database_url: str
    model_dir: Path
    log_level: str = "INFO"
    retention_days: int = 180
    default_language: str = "fr"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    telegram: TelegramSettings | None = None
    whatsapp: WhatsAppSettings | None = None
    delivery: DeliverySettings = field(default_factory=DeliverySettings)

    @property
    def rasa_model(self) -> Path:
        """The trained Rasa model archive."""
        return self.model_dir / "mentor.tar.gz"

    @property
    def langid_model(self) -> Path:
        """The trained language-identification model."""
        return self.model_dir / "langid.pkl"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: Path | None = ROOT / ".env") -> Settings:
        """Read and validate the settings (the environment wins over ``.env``); raise ``ConfigError``."""
        if env is None:
            from_file = {k: v for k, v in dotenv_values(dotenv).items() if v is not None} if dotenv else {}
            env = {**from_file, **os.environ}
        model_dir = Path(env.get("MENTOR_MODEL_DIR", str(ROOT / "models")))
        database_url = env.get("MENTOR_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'mentor.db'}")
        if "://" not in database_url:
            raise ConfigError(
                "MENTOR_DATABASE_URL", "must be an SQLAlchemy URL such as sqlite:///var/mentor.db"
            )
        log_level = env.get("MENTOR_LOG_LEVEL", "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise ConfigError("MENTOR_LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}")
        raw_days = env.get("MENTOR_RETENTION_DAYS", "180")
        try:
            retention_days = int(raw_days)
        except ValueError:
            raise ConfigError("MENTOR_RETENTION_DAYS", "must be a whole number of days") from None
        if retention_days < 1:
            raise ConfigError("MENTOR_RETENTION_DAYS", "must be at least 1")
        default_language = env.get("MENTOR_DEFAULT_LANGUAGE", "fr")
        if default_language not in REPLY_LANGUAGES:
            raise ConfigError("MENTOR_DEFAULT_LANGUAGE", f"must be one of {', '.join(REPLY_LANGUAGES)}")
        web_host, web_port = _listen(env.get("MENTOR_WEB_LISTEN", "127.0.0.1:8080"))
        return cls(
            database_url=database_url,
            web_host=web_host,
            web_port=web_port,
            model_dir=model_dir,
            log_level=log_level,
            retention_days=retention_days,
            default_language=default_language,
            telegram=_telegram(env),
            whatsapp=_whatsapp(env),
            delivery=_delivery(env),
        )


def _listen(value: str) -> tuple[str, int]:
    host, _, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError("MENTOR_WEB_LISTEN", "must be host:port with a port from 1 to 65535")
    return host, int(port)


def _delivery(env: Mapping[str, str]) -> DeliverySettings:
    try:
        quiet = QuietHours.parse(env.get("MENTOR_QUIET_HOURS", "21:00-09:00"))
    except ValueError as error:
        raise ConfigError("MENTOR_QUIET_HOURS", str(error)) from None
    default_timezone = env.get("MENTOR_DEFAULT_TIMEZONE", "Africa/Casablanca")
    try:
        zone(default_timezone)
    except ValueError as error:
        raise ConfigError("MENTOR_DEFAULT_TIMEZONE", str(error)) from None
    raw_days = env.get("MENTOR_CALL_ALERT_DAYS", "7,1")
    days = tuple(sorted({int(d) for d in raw_days.split(",") if d.strip().isdigit()}, reverse=True))
    if not days or len(days) != len([d for d in raw_days.split(",") if d.strip()]):
        raise ConfigError("MENTOR_CALL_ALERT_DAYS", "must be whole days separated by commas, like 7,1")
    return DeliverySettings(quiet, default_timezone, days)


def _rate(env: Mapping[str, str], key: str, default: str) -> float:
    try:
        value = float(env.get(key, default))
    except ValueError:
        raise ConfigError(key, "must be a number of messages a second") from None
    if not 0 < value <= 10_000:
        raise ConfigError(key, "must be more than 0 and at most 10000")
    return value


def _telegram(env: Mapping[str, str]) -> TelegramSettings | None:
    token = env.get("MENTOR_TELEGRAM_TOKEN", "").strip()
    if not token:
        return None
    if ":" not in token:
        raise ConfigError("MENTOR_TELEGRAM_TOKEN", "does not look like a bot token (digits:letters)")
    api_url = env.get("MENTOR_TELEGRAM_API_URL", "https://api.telegram.org/bot")
    if urlsplit(api_url).scheme not in ("http", "https"):
        raise ConfigError("MENTOR_TELEGRAM_API_URL", "must be an http(s) URL")
    webhook_url = env.get("MENTOR_TELEGRAM_WEBHOOK_URL") or None
    secret = env.get("MENTOR_TELEGRAM_WEBHOOK_SECRET") or None
    if webhook_url is not None:
        if urlsplit(webhook_url).scheme not in ("http", "https"):
            raise ConfigError("MENTOR_TELEGRAM_WEBHOOK_URL", "must be an http(s) URL")
        if secret is None or not _WEBHOOK_SECRET.fullmatch(secret):
            raise ConfigError("MENTOR_TELEGRAM_WEBHOOK_SECRET", "webhook mode needs 1-256 of A-Z a-z 0-9 _ -")
    return TelegramSettings(
        token=Secret(token),
        api_url=api_url,
        webhook_url=webhook_url,
        webhook_secret=Secret(secret) if secret else None,
        rate_per_second=_rate(env, "MENTOR_TELEGRAM_RATE", "25"),
        chat_rate_per_second=_rate(env, "MENTOR_TELEGRAM_CHAT_RATE", "1"),
    )


def _whatsapp(env: Mapping[str, str]) -> WhatsAppSettings | None:
    token = env.get("MENTOR_WHATSAPP_TOKEN", "").strip()
    phone_number_id = env.get("MENTOR_WHATSAPP_PHONE_NUMBER_ID", "").strip()
    if not token or not phone_number_id:
        return None
    if not phone_number_id.isdigit():
        raise ConfigError("MENTOR_WHATSAPP_PHONE_NUMBER_ID", "must be the digits of the phone number id")
    api_url = env.get("MENTOR_WHATSAPP_API_URL", "https://graph.facebook.com/v23.0").rstrip("/")
    if urlsplit(api_url).scheme not in ("http", "https") or not re.search(r"/v\d+\.\d+$", api_url):
        raise ConfigError("MENTOR_WHATSAPP_API_URL", "must be an http(s) URL ending in /v23.0 or so")
    raw_limit = env.get("MENTOR_WHATSAPP_DAILY_LIMIT", "250")
    if not raw_limit.isdigit() or int(raw_limit) < 1:
        raise ConfigError("MENTOR_WHATSAPP_DAILY_LIMIT", "must be a whole number of people, like 250 or 2000")
    secret = env.get("MENTOR_WHATSAPP_APP_SECRET") or None
    verify = env.get("MENTOR_WHATSAPP_VERIFY_TOKEN") or None
    return WhatsAppSettings(
        token=Secret(token),
        phone_number_id=phone_number_id,
        business_account_id=env.get("MENTOR_WHATSAPP_BUSINESS_ACCOUNT_ID") or None,
        app_secret=Secret(secret) if secret else None,
        verify_token=Secret(verify) if verify else None,
        api_url=api_url,
        rate_per_second=_rate(env, "MENTOR_WHATSAPP_RATE", "80"),
        daily_limit=int(raw_limit),
    )
