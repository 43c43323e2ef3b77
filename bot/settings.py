"""Settings: one frozen object, read from the environment (and an optional ``.env``) once, at start-up.

Nobody else reads ``os.environ``. A bad value stops the start with a message naming the key. Every field's
help text is in ``FIELDS``, which ``mentor --help`` shows. Tokens are ``Secret``s: masked in ``repr``.
"""

from __future__ import annotations

import ipaddress
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
DATA_DIR = ROOT / "var"  # the default database's folder: the only one created when missing
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'mentor.db'}"
WHATSAPP_API_URL = "https://graph.facebook.com/v23.0"
WHATSAPP_DAILY_LIMITS = ("250", "2000", "10000", "100000", "unlimited")

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
    "MENTOR_QUIET_HOURS": "local hours when no reminder or alert is sent (default: 21:00-09:00)",
    "MENTOR_DEFAULT_TIMEZONE": "time zone of people with no cohort or country (default: Africa/Casablanca)",
    "MENTOR_CALL_ALERT_DAYS": "days before a call closes when subscribers are told (default: 7,1)",
    "MENTOR_WHATSAPP_TOKEN": "WhatsApp Cloud API token; with the number id, `mentor run` runs WhatsApp",
    "MENTOR_WHATSAPP_PHONE_NUMBER_ID": "id of the WhatsApp business phone number the bot sends from",
    "MENTOR_WHATSAPP_BUSINESS_ACCOUNT_ID": "WhatsApp Business Account id, for message templates (optional)",
    "MENTOR_WHATSAPP_APP_SECRET": "Meta app secret; checks the X-Hub-Signature-256 of every webhook call",
    "MENTOR_WHATSAPP_VERIFY_TOKEN": "token Meta sends back in the webhook subscription handshake",
    "MENTOR_WHATSAPP_API_URL": f"Graph API base URL with its version (default: {WHATSAPP_API_URL})",
    "MENTOR_WHATSAPP_RATE": "WhatsApp messages a second, all chats together (default: 80)",
    "MENTOR_CONSOLE_SECRET": "key signing the staff console's session cookies, 32-256 printable characters "
    "(default: a random key kept in console.key beside the SQLite database, or under var/)",
    "MENTOR_WHATSAPP_DAILY_LIMIT": "business-initiated conversations a day of the number's tier: "
    "250, 2000, 10000, 100000 or unlimited (default: 250)",
}
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_ACCESS_TOKEN = re.compile(r"[A-Za-z0-9_.|-]{1,4096}")
_PRINTABLE_SECRET = re.compile(r"[!-~]{1,256}")  # printable ASCII, no spaces
_CONSOLE_SECRET = re.compile(r"[!-~]{32,256}")
_GRAPH_ID = re.compile(r"[0-9]{1,32}")
_HOST_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_PORT = re.compile(r"[0-9]{1,5}")
DATABASE_KEY = "MENTOR_DATABASE_URL"
WEB_LISTEN_KEY = "MENTOR_WEB_LISTEN"


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
    """The WhatsApp Cloud API channel's settings; ``daily_limit`` None means the unlimited tier."""

    token: Secret
    phone_number_id: str
    app_secret: Secret
    verify_token: Secret
    business_account_id: str | None = None
    api_url: str = WHATSAPP_API_URL
    rate_per_second: float = 80.0
    daily_limit: int | None = 250


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
    telegram: TelegramSettings | None = None
    whatsapp: WhatsAppSettings | None = None
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    console_secret: Secret | None = None

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
        database_url = env.get("MENTOR_DATABASE_URL", DEFAULT_DATABASE_URL)
        check_database_url(database_url)
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
            model_dir=model_dir,
            log_level=log_level,
            retention_days=retention_days,
            default_language=default_language,
            telegram=_telegram(env),
            whatsapp=_whatsapp(env),
            web_host=web_host,
            web_port=web_port,
            delivery=_delivery(env),
            console_secret=_console_secret(env),
        )


def _console_secret(env: Mapping[str, str]) -> Secret | None:
    value = env.get("MENTOR_CONSOLE_SECRET", "").strip()
    if not value:
        return None
    if not _CONSOLE_SECRET.fullmatch(value):
        raise ConfigError("MENTOR_CONSOLE_SECRET", "must be 32-256 printable characters, no spaces")
    return Secret(value)


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
    if not token and not phone_number_id:
        return None
    if not token:
        raise ConfigError("MENTOR_WHATSAPP_TOKEN", "is needed when MENTOR_WHATSAPP_PHONE_NUMBER_ID is set")
    if not phone_number_id:
        raise ConfigError("MENTOR_WHATSAPP_PHONE_NUMBER_ID", "is needed when MENTOR_WHATSAPP_TOKEN is set")
    if not _ACCESS_TOKEN.fullmatch(token):
        raise ConfigError("MENTOR_WHATSAPP_TOKEN", "does not look like an access token (no spaces or quotes)")
    if not _GRAPH_ID.fullmatch(phone_number_id):
        raise ConfigError(
            "MENTOR_WHATSAPP_PHONE_NUMBER_ID", "must be the number's id (digits), not the number"
        )
    business = env.get("MENTOR_WHATSAPP_BUSINESS_ACCOUNT_ID", "").strip() or None
    if business is not None and not _GRAPH_ID.fullmatch(business):
        raise ConfigError("MENTOR_WHATSAPP_BUSINESS_ACCOUNT_ID", "must be the account's id (digits)")
    secrets = {}
    for key, why in (
        ("MENTOR_WHATSAPP_APP_SECRET", "checks the signature of every webhook call"),
        ("MENTOR_WHATSAPP_VERIFY_TOKEN", "answers Meta's subscription handshake"),
    ):
        value = env.get(key, "").strip()
        if not _PRINTABLE_SECRET.fullmatch(value):
            raise ConfigError(key, f"is needed with WhatsApp ({why}): 1-256 printable characters, no spaces")
        secrets[key] = Secret(value)
    api_url = env.get("MENTOR_WHATSAPP_API_URL", WHATSAPP_API_URL).rstrip("/")
    if urlsplit(api_url).scheme not in ("http", "https") or not urlsplit(api_url).netloc:
        raise ConfigError("MENTOR_WHATSAPP_API_URL", "must be an http(s) URL")
    daily = env.get("MENTOR_WHATSAPP_DAILY_LIMIT", "250").strip().lower()
    if daily not in WHATSAPP_DAILY_LIMITS:
        raise ConfigError("MENTOR_WHATSAPP_DAILY_LIMIT", f"must be one of {', '.join(WHATSAPP_DAILY_LIMITS)}")
    return WhatsAppSettings(
        token=Secret(token),
        phone_number_id=phone_number_id,
        app_secret=secrets["MENTOR_WHATSAPP_APP_SECRET"],
        verify_token=secrets["MENTOR_WHATSAPP_VERIFY_TOKEN"],
        business_account_id=business,
        api_url=api_url,
        rate_per_second=_rate(env, "MENTOR_WHATSAPP_RATE", "80"),
        daily_limit=None if daily == "unlimited" else int(daily),
    )


def _listen(text: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8080`` for an IPv6 address) → (host, port); ``ConfigError`` when malformed."""
    host, sep, port = text.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not _valid_host(host):
        raise ConfigError(WEB_LISTEN_KEY, "must be host:port, like 127.0.0.1:8080 or [::1]:8080")
    if not _PORT.fullmatch(port) or not 1 <= int(port) <= 65535:
        raise ConfigError(WEB_LISTEN_KEY, f"the port must be a number from 1 to 65535, not {port!r}")
    return host, int(port)


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    if not host or len(host) > 253 or re.fullmatch(r"[0-9.]+", host):
        return False  # empty, too long, or digits that are no IPv4 address (999.0.0.1)
    return all(_HOST_LABEL.fullmatch(label) for label in host.removesuffix(".").split("."))


def sqlite_folder(database_url: str) -> Path | None:
    """The folder of an SQLite database file; None for other databases and in-memory SQLite."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    name = url.database
    if url.get_backend_name() != "sqlite" or name in (None, "", ":memory:") or name.startswith("file:"):
        return None
    return Path(name).parent


def check_database_url(database_url: str) -> None:
    """Refuse a database URL no engine can be built from: not a URL, an unknown kind of database, an SQLite
    file in a folder that does not exist (only the default folder, var/, is created)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError):
        raise ConfigError(DATABASE_KEY, "must be an SQLAlchemy URL such as sqlite:///var/mentor.db") from None
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise ConfigError(
            DATABASE_KEY, f"unknown kind of database {url.drivername!r}; use sqlite:/// or postgresql://"
        ) from None
    folder = sqlite_folder(database_url)
    if folder is not None and not folder.is_dir() and folder.resolve() != DATA_DIR:
        problem = "is not a folder" if folder.exists() else "does not exist; create it first"
        raise ConfigError(DATABASE_KEY, f"the SQLite file's folder {folder} {problem}")
