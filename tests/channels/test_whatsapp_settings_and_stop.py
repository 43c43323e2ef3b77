"""The WhatsApp settings as read from ``MENTOR_WHATSAPP_*``, and the STOP words the core takes as the stop
command on channels without slash commands."""

from __future__ import annotations

import pytest

from bot.core.commands import is_stop_word
from bot.errors import ConfigError
from bot.settings import Settings

WHATSAPP = {
    "MENTOR_WHATSAPP_TOKEN": "EAAG-secret-token",
    "MENTOR_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "MENTOR_WHATSAPP_APP_SECRET": "app-secret-value",
    "MENTOR_WHATSAPP_VERIFY_TOKEN": "verify-me",
}


def test_whatsapp_runs_with_a_token_and_a_phone_number_id_and_its_secrets_are_masked() -> None:
    settings = Settings.from_env(WHATSAPP, dotenv=None)
    whatsapp = settings.whatsapp
    assert whatsapp is not None and settings.telegram is None
    assert (whatsapp.api_url, whatsapp.rate_per_second, whatsapp.daily_limit) == (
        "https://graph.facebook.com/v23.0",
        80.0,
        250,
    )
    assert whatsapp.token.reveal() == "EAAG-secret-token" and whatsapp.app_secret is not None
    shown = repr(settings)
    assert all(secret not in shown for secret in ("EAAG-secret-token", "app-secret-value", "verify-me"))
    assert Settings.from_env({"MENTOR_WHATSAPP_TOKEN": "x"}, dotenv=None).whatsapp is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("MENTOR_WHATSAPP_PHONE_NUMBER_ID", "+212 600"),
        ("MENTOR_WHATSAPP_API_URL", "ftp://graph.facebook.com/v23.0"),
        ("MENTOR_WHATSAPP_API_URL", "http://127.0.0.1:9000"),
        ("MENTOR_WHATSAPP_RATE", "fast"),
        ("MENTOR_WHATSAPP_DAILY_LIMIT", "0"),
    ],
)
def test_a_bad_whatsapp_setting_is_refused_naming_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({**WHATSAPP, key: value}, dotenv=None)
    assert key in str(refused.value)


@pytest.mark.parametrize(
    ("text", "stops"),
    [
        ("STOP", True),
        ("stop.", True),
        ("Arrêt", True),
        ("arret !", True),
        ("توقف", True),
        ("w9ef", True),
        ("yezzi", True),
        ("stop the visa reminders but keep news", False),
        ("stopover in Rome?", False),
        ("", False),
    ],
)
def test_stop_words_are_whole_messages(text: str, stops: bool) -> None:
    assert is_stop_word(text) is stops
