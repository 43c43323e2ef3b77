"""Questions the bot could not answer, for staff to turn into examples or entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.storage.models import UnansweredQuestion

MAX_STORED_CHARS = 1000


def record(
    session: Session,
    user_id: str,
    text: str,
    variety: str | None,
    intent: str | None,
    confidence: float | None,
    now: datetime,
) -> UnansweredQuestion:
    """Keep the question (cut to a reasonable length) with what the bot thought it was."""
    question = UnansweredQuestion(
        user_id=user_id,
        text=text[:MAX_STORED_CHARS],
        variety=variety,
        intent=intent,
        confidence=confidence,
        at=now,
    )
    session.add(question)
    session.flush()
    return question
