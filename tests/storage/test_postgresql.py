"""The whole bot on PostgreSQL: tracker store, actions and deletion on one server database."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlalchemy import func, select

from bot import app
from bot.core.messages import InboundMessage
from bot.settings import ROOT, Settings
from bot.storage.models import RASA_EVENTS, User
from tests.conftest import fixed_clock

pytestmark = pytest.mark.model


def test_a_conversation_and_its_deletion_on_postgresql(postgres_url: str) -> None:
    settings = dataclasses.replace(
        Settings.from_env({}), database_url=postgres_url, model_dir=ROOT / "models"
    )
    built = app.build(settings, clock=fixed_clock)

    def say(text: str) -> str:
        return asyncio.run(built.conversation.handle(InboundMessage("test", "pg-1", text))).reply

    assert "passport" in say("which documents do I need for the visa?")
    with built.database.session() as session:
        user_id = session.scalar(select(User.id).where(User.external_id == "pg-1"))
        assert session.scalar(
            select(func.count()).select_from(RASA_EVENTS).where(RASA_EVENTS.c.sender_id == user_id)
        )
    say("delete my data")
    say("yes")
    with built.database.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
        assert session.scalar(select(func.count()).select_from(RASA_EVENTS)) == 0
    built.database.engine.dispose()
