"""The eligibility check's saved checklists (answers, documents ticked off, passport and start dates).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checklists",
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("ticked", sa.JSON, nullable=False),
        sa.Column("office", sa.String(64), nullable=False),
        sa.Column("passport_expiry", sa.String(10)),
        sa.Column("planned_start", sa.String(10)),
        sa.Column("saved_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("checklists")
