"""The review loop: curators' decisions about unanswered questions, and questions flagged wrong.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_outcomes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "question_id",
            sa.Integer,
            sa.ForeignKey("unanswered_questions.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(64)),
        sa.Column("variety", sa.String(16)),
        sa.Column("example", sa.Text),
        sa.Column("decided_by", sa.String(254), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("exported_at", UTCDateTime),
    )
    op.create_index("ix_review_outcomes_user_id", "review_outcomes", ["user_id"])
    op.create_table(
        "question_flags",
        sa.Column(
            "question_id",
            sa.Integer,
            sa.ForeignKey("unanswered_questions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("reason", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("question_flags")
    op.drop_index("ix_review_outcomes_user_id", "review_outcomes")
    op.drop_table("review_outcomes")
