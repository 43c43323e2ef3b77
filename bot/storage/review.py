"""Storage of the review loop: the questions still to review, curators' decisions, pending examples."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import UnansweredQuestion
from bot.storage.review_models import QuestionFlag, ReviewOutcome


@dataclass(frozen=True)
class OpenQuestion:
    """A question no curator has decided about yet, with why it is there (``wrong`` when flagged)."""

    id: int
    user_id: str
    text: str
    variety: str | None
    intent: str | None
    confidence: float | None
    at: datetime
    flag: str | None


def open_questions(session: Session) -> list[OpenQuestion]:
    """Every question without a decision, oldest first."""
    query = (
        select(UnansweredQuestion, QuestionFlag.reason)
        .outerjoin(QuestionFlag, QuestionFlag.question_id == UnansweredQuestion.id)
        .outerjoin(ReviewOutcome, ReviewOutcome.question_id == UnansweredQuestion.id)
        .where(ReviewOutcome.id.is_(None))
        .order_by(UnansweredQuestion.id)
    )
    return [
        OpenQuestion(q.id, q.user_id, q.text, q.variety, q.intent, q.confidence, q.at, reason)
        for q, reason in session.execute(query)
    ]


def decide(
    session: Session,
    question: OpenQuestion,
    outcome: str,
    by: str,
    now: datetime,
    intent: str | None = None,
    example: str | None = None,
) -> ReviewOutcome:
    """Record a curator's decision about one question."""
    row = ReviewOutcome(
        question_id=question.id,
        user_id=question.user_id,
        outcome=outcome,
        intent=intent,
        variety=question.variety,
        example=example,
        decided_by=by,
        at=now,
    )
    session.add(row)
    session.flush()
    return row


def pending_examples(session: Session) -> list[ReviewOutcome]:
    """The examples assigned to a topic, still linked to the person who wrote them, in order."""
    query = (
        select(ReviewOutcome)
        .where(ReviewOutcome.outcome == "assigned", ReviewOutcome.example.is_not(None))
        .order_by(ReviewOutcome.id)
    )
    return list(session.execute(query).scalars())


def mark_exported(session: Session, rows: list[ReviewOutcome], now: datetime) -> None:
    """Note that these examples were written out as a change to review."""
    for row in rows:
        row.exported_at = row.exported_at or now


def flag(session: Session, question_id: int, reason: str) -> None:
    """Flag a question (a ticket showed the bot answered it wrongly)."""
    session.merge(QuestionFlag(question_id=question_id, reason=reason))
    session.flush()
