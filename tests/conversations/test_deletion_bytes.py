"""Delete-my-data through the real bot leaves nothing of the person in the SQLite files, write-ahead log
included: their ids, their words and their phone number are searched byte for byte."""

from __future__ import annotations

import pytest

from tests.conftest import say
from tests.conversations.test_conversations import _user_id
from tests.storage.test_deleted_bytes import traces

pytestmark = pytest.mark.model

PERSON = "wal-scan-person-4711"
MARKER = "wombat-marker-q8z2k"
PHONE = "+216 98 765 432"


def test_after_delete_my_data_no_byte_of_the_person_is_left(bot) -> None:
    say(bot, f"{MARKER} mon numéro est le {PHONE}", PERSON)
    say(bot, f"{MARKER} appelle-moi au {PHONE} stp", PERSON)
    say(bot, "quels documents pour le visa", PERSON)
    user_id = _user_id(bot, PERSON)
    assert user_id is not None
    url = bot.settings.database_url
    needles = [user_id, PERSON, MARKER, PHONE]
    assert len(traces(url, needles)) >= len(needles), "the scan must see the person before the deletion"

    assert say(bot, "supprime mes données stp", PERSON).topic == "privacy"
    say(bot, "oui", PERSON)

    assert _user_id(bot, PERSON) is None
    assert traces(url, needles) == []
