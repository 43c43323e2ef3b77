"""The key that signs the console's cookies: ``MENTOR_CONSOLE_SECRET`` when set, else a random key made once
and kept in ``console.key`` (mode 0600) beside the SQLite database file, or under ``var/`` for other
databases, so that sessions survive a restart and several processes on one database agree.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from bot.errors import ConfigError
from bot.settings import DATA_DIR, Settings, sqlite_folder

KEY_FILE = "console.key"
SETTING = "MENTOR_CONSOLE_SECRET"


def key_file(settings: Settings) -> Path:
    """Where the generated key is kept for these settings."""
    return (sqlite_folder(settings.database_url) or DATA_DIR) / KEY_FILE


def signing_key(settings: Settings) -> bytes:
    """The console's signing key; ``ConfigError`` when the key file is unusable or readable by others."""
    if settings.console_secret is not None:
        return settings.console_secret.reveal().encode()
    path = key_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise ConfigError(SETTING, f"{path} is readable by others; chmod 600 it or set {SETTING}")
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ConfigError(SETTING, f"{path} holds no usable key; delete it to make a new one")
    return key.encode()
