"""Users, consents and unanswered questions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("chosen_language", sa.String(8)),
        sa.Column("reply_language", sa.String(8)),
        sa.Column("variety", sa.String(16)),
        sa.Column("country", sa.String(2)),
        sa.Column("city", sa.String(64)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("channel", "external_id", name="uq_users_channel_external"),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_consents_user_id", "consents", ["user_id"])
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("variety", sa.String(16)),
        sa.Column("intent", sa.String(64)),
        sa.Column("confidence", sa.Float),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_unanswered_questions_user_id", "unanswered_questions", ["user_id"])


def downgrade() -> None:
    op.drop_table("unanswered_questions")
    op.drop_table("consents")
    op.drop_table("users")
