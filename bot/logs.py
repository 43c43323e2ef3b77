"""Logging set-up for the entry points: the level asked for, and nothing personal or secret at any level.

Two layers keep tokens, secrets, message text, phone numbers and names out of the logs:

- **Silence.** Libraries that log whole requests, updates or parsed messages (python-telegram-bot prints
  every update with its text and the sender's name at DEBUG, httpx every URL with the bot token in it,
  Rasa the parsed text...) are held at WARNING whatever the level: ``QUIET``.
- **Redaction.** A filter on our handlers rewrites every record that reaches them, from any logger:
  the secrets of the settings, Bot API tokens (also inside ``/bot<token>/`` URLs), ``access_token=`` and
  other secret-looking parameters, and phone-number-like digit runs. It covers what the quiet libraries
  still say at WARNING and above, tracebacks included.

Why ``reapply``: importing ``skops`` (when the Rasa model loads) walks scikit-learn's packages, which
imports ``numpy.distutils``, whose ``log`` module sets the level of setuptools' distutils logger, which is
the root logger, to WARNING. Our own packages get their level set on their loggers (so they hold whatever
the root does), and ``reapply`` puts the root back after the model is loaded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import structlog

# Loggers that print payloads, URLs or message text below WARNING: held at WARNING at every level.
QUIET = (
    "rasa",
    "rasa_sdk",
    "tensorflow",
    "absl",
    "sanic",
    "urllib3",
    "httpx",
    "httpcore",
    "hpack",
    "h11",
    "aiohttp",
    "telegram",
    "apscheduler",
    "alembic",
    "sqlalchemy",
    "uvicorn",
    "starlette",
    "multipart",
    "python_multipart",
    "pywa",
    "websockets",
    "matplotlib",
    "PIL",
    "filelock",
    "h5py",
    "numexpr",
)
# Our packages: their level is the one asked for, set on their own loggers.
OURS = ("bot", "scheduler", "knowledge", "nlu", "fakes", "__main__")

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")  # a Bot API token
BOT_URL = re.compile(r"/bot[^/\s\"']+")  # https://api.telegram.org/bot<token>/sendMessage
SECRET_FIELD = re.compile(
    r"(?i)\b(access_token|verify_token|secret_token|[a-z_]*secret|password|api_key|token|"
    r"authorization|x-telegram-bot-api-secret-token|x-hub-signature(?:-256)?)"
    r"([\"']?\s*[:=]\s*[\"']?)(bearer\s+)?[^\s&\"',;)}]+"
)
PHONE = re.compile(r"(?<![\w+])\+?\d(?:[ .()\-]{0,2}\d){7,}(?!\w)")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
REDACTED = "[redacted]"
_state: dict[str, object] = {"level": "INFO"}


class Redact(logging.Filter):
    """Rewrites a record's message (and traceback) without secrets or phone numbers; never drops one."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret, token and phone number replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = TOKEN.sub(REDACTED, text)
        text = BOT_URL.sub("/bot" + REDACTED, text)
        text = SECRET_FIELD.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}", text)
        return PHONE.sub(_number, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: keep the template, drop the arguments
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _number(match: re.Match[str]) -> str:
    """A phone-number-like run of digits is hidden; a date (and time) is not one."""
    return match[0] if ISO_DATE.match(match[0]) else "[number]"


def configure(level: str, secrets: Iterable[str] = ()) -> None:
    """Log to standard error at ``level`` for our code and the libraries that say nothing personal,
    WARNING for ``QUIET``; every record goes through ``Redact`` with the settings' ``secrets``."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(Redact(secrets))
    root.addHandler(handler)
    _state["level"] = level
    reapply()
    # Rasa's structlog events go through the standard loggers, so the filter sees them too.
    structlog.configure(
        processors=[structlog.processors.KeyValueRenderer(key_order=["event"])],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        cache_logger_on_first_use=False,
    )
    # Import-time deprecation notices of the Rasa/TensorFlow stack go to a logger nobody reads.
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.ERROR)


def reapply() -> None:
    """Set the levels again: call after heavy imports (the Rasa model) that reset the root logger."""
    level = str(_state["level"])
    logging.getLogger().setLevel(level)
    for name in OURS:
        logging.getLogger(name).setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
