"""Settings that cannot work are refused at start, naming the key: database URLs, the web listen address,
WhatsApp."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.evaluation.telegram_harness import free_port
from bot.settings import DATA_DIR, FIELDS, Settings, WhatsAppSettings
from bot.storage.db import make_engine
from bot.web.server import bind

WHATSAPP = {
    "MENTOR_WHATSAPP_TOKEN": "EAAGm0PX4ZCpsBAtoken123",
    "MENTOR_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "MENTOR_WHATSAPP_APP_SECRET": "0123456789abcdef0123456789abcdef",
    "MENTOR_WHATSAPP_VERIFY_TOKEN": "verify-me-please",
}


def refused(env: dict[str, str]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    return caught.value


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("nonsense://", "unknown kind of database 'nonsense'"),
        ("nonsense", "must be an SQLAlchemy URL"),
        ("postgresql://mentor@127.0.0.1:notaport/x", "must be an SQLAlchemy URL"),
    ],
)
def test_a_database_url_of_no_known_kind_is_refused(url: str, problem: str) -> None:
    error = refused({"MENTOR_DATABASE_URL": url})
    assert error.key == "MENTOR_DATABASE_URL" and problem in str(error)


def test_an_sqlite_file_in_a_missing_folder_is_refused_and_the_folder_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    url = f"sqlite:///{missing / 'x.db'}"
    error = refused({"MENTOR_DATABASE_URL": url})
    assert error.key == "MENTOR_DATABASE_URL" and f"{missing} does not exist" in str(error)
    with pytest.raises(ConfigError, match="MENTOR_DATABASE_URL"):
        make_engine(url)  # the storage layer refuses too, whoever calls it
    assert not missing.parent.exists()


def test_the_default_database_folder_may_be_created() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{DATA_DIR / 'mentor.db'}"


def test_an_unreachable_database_server_is_refused_naming_the_setting() -> None:
    url = f"postgresql://mentor:hunter2@127.0.0.1:{free_port()}/mentor"
    Settings.from_env({"MENTOR_DATABASE_URL": url})  # well formed: only connecting can tell
    with pytest.raises(ConfigError) as caught:
        make_engine(url)
    assert caught.value.key == "MENTOR_DATABASE_URL"
    assert "cannot open the postgresql database" in str(caught.value) and "Connection refused" in str(
        caught.value
    )
    assert "hunter2" not in str(caught.value)


def test_a_file_that_is_no_database_is_refused(tmp_path: Path) -> None:
    photo = tmp_path / "photo.db"
    photo.write_bytes(b"\x89PNG" + bytes(range(256)) * 20)
    with pytest.raises(ConfigError, match="MENTOR_DATABASE_URL: cannot open the sqlite database"):
        make_engine(f"sqlite:///{photo}")


def test_the_web_listen_address_is_parsed_and_replaces_the_telegram_one() -> None:
    default = Settings.from_env({})
    assert (default.web_host, default.web_port) == ("127.0.0.1", 8080)
    assert "MENTOR_TELEGRAM_WEBHOOK_LISTEN" not in FIELDS and "MENTOR_WEB_LISTEN" in FIELDS
    v6 = Settings.from_env({"MENTOR_WEB_LISTEN": "[::1]:9000"})
    assert (v6.web_host, v6.web_port) == ("::1", 9000)
    named = Settings.from_env({"MENTOR_WEB_LISTEN": "bot.example.org:443"})
    assert (named.web_host, named.web_port) == ("bot.example.org", 443)


@pytest.mark.parametrize(
    "listen",
    [
        "127.0.0.1:99999",
        "127.0.0.1:0",
        "127.0.0.1:",
        "127.0.0.1:80a",
        "8080",
        ":8080",
        "bad host:80",
        "999.1.1.1:80",
        "a;b:80",
        "127.0.0.1:٨٠",
    ],
)
def test_a_bad_web_listen_address_is_refused(listen: str) -> None:
    assert refused({"MENTOR_WEB_LISTEN": listen}).key == "MENTOR_WEB_LISTEN"


def test_a_busy_port_is_refused_before_serving() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        settings = Settings.from_env({"MENTOR_WEB_LISTEN": f"127.0.0.1:{port}"})
        with pytest.raises(ConfigError) as caught:
            bind(settings.web_host, settings.web_port)
    assert caught.value.key == "MENTOR_WEB_LISTEN" and "in use" in str(caught.value)
    bind(settings.web_host, settings.web_port).close()  # free again


def test_a_host_that_is_not_this_machine_is_refused_before_serving() -> None:
    settings = Settings.from_env({"MENTOR_WEB_LISTEN": f"192.0.2.1:{free_port()}"})  # TEST-NET-1
    with pytest.raises(ConfigError, match="MENTOR_WEB_LISTEN: .*not an address of this machine"):
        bind(settings.web_host, settings.web_port)


def test_whatsapp_settings_are_read_validated_and_masked() -> None:
    assert Settings.from_env({}).whatsapp is None
    settings = Settings.from_env({**WHATSAPP, "MENTOR_WHATSAPP_DAILY_LIMIT": "unlimited"})
    whatsapp = settings.whatsapp
    assert isinstance(whatsapp, WhatsAppSettings)
    assert whatsapp.token.reveal() == WHATSAPP["MENTOR_WHATSAPP_TOKEN"]
    assert whatsapp.phone_number_id == "106540352242922" and whatsapp.business_account_id is None
    assert whatsapp.api_url == "https://graph.facebook.com/v23.0"
    assert whatsapp.rate_per_second == 80 and whatsapp.daily_limit is None
    assert Settings.from_env(WHATSAPP).whatsapp.daily_limit == 250  # type: ignore[union-attr]
    shown = repr(settings)
    assert all(WHATSAPP[key] not in shown for key in WHATSAPP if "PHONE" not in key)
    with pytest.raises(AttributeError):
        whatsapp.rate_per_second = 1  # type: ignore[misc]
    for key in [*WHATSAPP, "MENTOR_WHATSAPP_API_URL", "MENTOR_WHATSAPP_RATE", "MENTOR_WHATSAPP_DAILY_LIMIT"]:
        assert key in FIELDS


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"MENTOR_WHATSAPP_PHONE_NUMBER_ID": ""}, "MENTOR_WHATSAPP_PHONE_NUMBER_ID"),
        ({"MENTOR_WHATSAPP_TOKEN": ""}, "MENTOR_WHATSAPP_TOKEN"),
        ({"MENTOR_WHATSAPP_TOKEN": "two words"}, "MENTOR_WHATSAPP_TOKEN"),
        ({"MENTOR_WHATSAPP_PHONE_NUMBER_ID": "+212600000000"}, "MENTOR_WHATSAPP_PHONE_NUMBER_ID"),
        ({"MENTOR_WHATSAPP_BUSINESS_ACCOUNT_ID": "acct"}, "MENTOR_WHATSAPP_BUSINESS_ACCOUNT_ID"),
        ({"MENTOR_WHATSAPP_APP_SECRET": ""}, "MENTOR_WHATSAPP_APP_SECRET"),
        ({"MENTOR_WHATSAPP_VERIFY_TOKEN": "with space"}, "MENTOR_WHATSAPP_VERIFY_TOKEN"),
        ({"MENTOR_WHATSAPP_API_URL": "ftp://graph"}, "MENTOR_WHATSAPP_API_URL"),
        ({"MENTOR_WHATSAPP_RATE": "0"}, "MENTOR_WHATSAPP_RATE"),
        ({"MENTOR_WHATSAPP_DAILY_LIMIT": "1000"}, "MENTOR_WHATSAPP_DAILY_LIMIT"),
    ],
)
def test_bad_whatsapp_settings_are_refused_naming_the_key(change: dict[str, str], key: str) -> None:
    assert refused({**WHATSAPP, **change}).key == key
