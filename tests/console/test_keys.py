"""The signing key: the setting when given, else a 0600 file made once beside the SQLite database and
reused, refused when others can read it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.console.keys import key_file, signing_key
from bot.errors import ConfigError
from bot.settings import DATA_DIR, Secret, Settings


def settings(folder: Path, secret: str | None = None) -> Settings:
    return Settings(
        database_url=f"sqlite:///{folder / 'mentor.db'}",
        model_dir=folder,
        console_secret=Secret(secret) if secret else None,
    )


def test_the_setting_wins_and_no_file_is_made(tmp_path: Path) -> None:
    assert signing_key(settings(tmp_path, "s" * 40)) == b"s" * 40
    assert not (tmp_path / "console.key").exists()


def test_a_key_is_made_once_in_a_private_file_beside_the_database(tmp_path: Path) -> None:
    first = signing_key(settings(tmp_path))
    path = key_file(settings(tmp_path))
    assert path == tmp_path / "console.key" and len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_key(settings(tmp_path)) == first


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    signing_key(settings(tmp_path))
    (tmp_path / "console.key").chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        signing_key(settings(tmp_path))


def test_other_databases_keep_the_key_under_var() -> None:
    postgres = Settings(database_url="postgresql://u@localhost/mentor", model_dir=DATA_DIR)
    assert key_file(postgres) == DATA_DIR / "console.key"


def test_the_setting_is_checked_and_masked() -> None:
    read = Settings.from_env({"MENTOR_CONSOLE_SECRET": "k" * 32}, dotenv=None)
    assert read.console_secret == Secret("k" * 32) and "k" * 32 not in repr(read)
    with pytest.raises(ConfigError, match="MENTOR_CONSOLE_SECRET"):
        Settings.from_env({"MENTOR_CONSOLE_SECRET": "too short"}, dotenv=None)
