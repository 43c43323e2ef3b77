"""The STOP words the core takes as the stop command, on channels without slash commands (WhatsApp) too; the
WhatsApp settings themselves are tested with the others in tests/cli/test_settings.py."""

from __future__ import annotations

import pytest

from bot.core.commands import is_stop_word


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
