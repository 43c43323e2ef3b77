"""Settings: one frozen object, read from the environment once, at start-up.

Nobody else reads ``os.environ``. A bad value stops the start with a message naming the key.
Every field's help text is in ``FIELDS`` so ``mentor --help-settings`` and errors can show it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

FIELDS: dict[str, str] = {
    "MENTOR_DATABASE_URL": "SQLAlchemy URL of the database (default: an SQLite file under var/)",
    "MENTOR_MODEL_DIR": "where trained models are written and read (default: models/)",
    "MENTOR_LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR (default: INFO); message text is never logged",
    "MENTOR_RETENTION_DAYS": "days a conversation history is kept before it is purged (default: 180)",
    "MENTOR_DEFAULT_LANGUAGE": "reply language before anything is known of a person (default: fr)",
}

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

    @property
    def rasa_model(self) -> Path:
        """The trained Rasa model archive."""
        return self.model_dir / "mentor.tar.gz"

    @property
    def langid_model(self) -> Path:
        """The trained language-identification model."""
        return self.model_dir / "langid.pkl"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the settings; raise ``ConfigError`` naming the bad key."""
        env = os.environ if env is None else env
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
        return cls(
            database_url=database_url,
            model_dir=model_dir,
            log_level=log_level,
            retention_days=retention_days,
            default_language=default_language,
        )
