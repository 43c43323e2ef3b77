"""Tables of the review loop: what a curator decided about an unanswered question, and which questions a
ticket showed the bot got wrong.

A decision is one row per question (``ReviewOutcome``): assigned to a topic (its masked text is then a
training example waiting to be reviewed by a developer), out of scope, or the start of a draft entry. The row
names the person the question came from, so delete-my-data removes their examples not yet reviewed; it goes
with its question (``ondelete=CASCADE``), so the retention purge of old questions takes it too.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from bot.storage.models import Base, UTCDateTime

OUTCOMES = ("assigned", "out_of_scope", "draft")
WRONG = "wrong"  # the one reason a question is flagged: a ticket showed the bot answered it wrongly


class ReviewOutcome(Base):
    """A curator's decision about one unanswered question. ``example`` is the masked text written into the
    training data of ``variety`` under ``intent`` (outcome ``assigned`` only); ``exported_at`` is set when
    ``mentor review export`` wrote it out as a change to review."""

    __tablename__ = "review_outcomes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    question_id = Column(
        Integer, ForeignKey("unanswered_questions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    outcome = Column(String(16), nullable=False)
    intent = Column(String(64))
    variety = Column(String(16))
    example = Column(Text)
    decided_by = Column(String(254), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    exported_at = Column(UTCDateTime)


class QuestionFlag(Base):
    """Why a question is in the review list when neither the fallback nor a low confidence put it there."""

    __tablename__ = "question_flags"

    question_id = Column(
        Integer, ForeignKey("unanswered_questions.id", ondelete="CASCADE"), primary_key=True
    )
    reason = Column(String(16), nullable=False)
