"""Multi-turn conversations, written as data in ``test_*.yml`` beside this file, run through the real bot.

A turn is a message (``user``) or a pressed button (``press``, its payload). A turn may check the topic, the
reply language, words of the reply (``says``), the payloads of its quick replies (``offers``), and
``suggestions``: the topics offered because the bot was unsure, at least that many besides the person button
(0: answered outright, nothing suggested); ``after`` checks the database: ``forgotten`` (nothing left of the
person), ``consents`` (the decision in force per purpose; ``null``: no decision stored at all) and
``unanswered`` (questions kept for staff).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from bot.storage.models import RASA_EVENTS, Consent, UnansweredQuestion, User
from tests.conftest import press, say

pytestmark = pytest.mark.model
HERE = Path(__file__).resolve().parent


def _conversations() -> list[Any]:
    cases = []
    for path in sorted(HERE.glob("test_*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(pytest.param(conversation, id=f"{path.stem}: {conversation['name']}"))
    return cases


@pytest.mark.parametrize("conversation", _conversations())
def test_conversation(bot, conversation: dict[str, Any]) -> None:
    user = "conv-" + conversation["name"].replace(" ", "-")
    user_id = None
    for number, turn in enumerate(conversation["turns"], start=1):
        result = press(bot, turn["press"], user) if "press" in turn else say(bot, turn["user"], user)
        where = f"turn {number} ({turn.get('user', turn.get('press'))!r})"
        if "topic" in turn:
            assert result.topic == turn["topic"], f"{where}: topic {result.topic}"
        if "reply_language" in turn:
            assert (
                result.reply_language == turn["reply_language"]
            ), f"{where}: language {result.reply_language}"
        for words in turn.get("says", []):
            assert words.lower() in result.reply.lower(), f"{where}: {words!r} not in {result.reply[:300]!r}"
        offered = {button.payload for message in result.messages for button in message.buttons}
        for payload in turn.get("offers", []):
            assert payload in offered, f"{where}: no quick reply {payload!r} in {sorted(offered)}"
        if "suggestions" in turn:
            _check_suggestions(result, turn["suggestions"], where)
        if user_id is None:
            user_id = _user_id(bot, user)
    _check_after(bot, user, user_id, conversation.get("after", {}))


def _check_suggestions(result, at_least: int, where: str) -> None:
    """Suggested topics come with their buttons and a person button; none when the bot answered outright."""
    if at_least == 0:
        assert result.suggestions == [], f"{where}: suggested {result.suggestions}"
        return
    offered = {button.payload for message in result.messages for button in message.buttons}
    topics = [t for t in result.suggestions if t != "contact.human"]
    assert len(topics) >= at_least, f"{where}: suggested {result.suggestions}"
    assert result.suggestions[-1] == "contact.human" and "/contact_human" in offered
    for topic in topics:
        assert "/" + topic.replace(".", "_", 1) in offered, f"{where}: no button for {topic}"


def _user_id(bot, external_id: str) -> str | None:
    with bot.database.session() as session:
        return session.scalar(select(User.id).where(User.channel == "test", User.external_id == external_id))


def _check_after(bot, external_id: str, user_id: str | None, after: dict[str, Any]) -> None:
    with bot.database.session() as session:
        if after.get("forgotten"):
            assert _user_id(bot, external_id) is None
            for table, column in (
                (Consent, Consent.user_id),
                (UnansweredQuestion, UnansweredQuestion.user_id),
                (RASA_EVENTS, RASA_EVENTS.c.sender_id),
            ):
                count = session.scalar(select(func.count()).select_from(table).where(column == user_id))
                assert count == 0, f"{table} still holds rows of the deleted person"
        for purpose, granted in after.get("consents", {}).items():
            rows = session.scalars(
                select(Consent)
                .where(Consent.user_id == user_id, Consent.purpose == purpose)
                .order_by(Consent.id)
            ).all()
            if granted is None:
                assert not rows, f"a {purpose} consent was stored: {[r.granted for r in rows]}"
                continue
            assert rows and rows[-1].granted is granted and rows[-1].at is not None
        if "unanswered" in after:
            count = session.scalar(
                select(func.count())
                .select_from(UnansweredQuestion)
                .where(UnansweredQuestion.user_id == user_id)
            )
            assert count == after["unanswered"]
