"""Questions the bot could not answer, for staff to turn into examples or entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.storage import review
from bot.storage.models import UnansweredQuestion
from bot.storage.review_models import WRONG

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


def record_wrong(
    session: Session, user_id: str, text: str, variety: str | None, intent: str | None, now: datetime
) -> UnansweredQuestion:
    """Keep a question the bot answered, but wrongly (a ticket showed it): ``intent`` is what it answered.
    It joins the review list flagged ``wrong`` beside the fallbacks and low-confidence ones."""
    question = record(session, user_id, text, variety, intent, None, now)
    review.flag(session, question.id, WRONG)
    return question
