"""Webhook intake and buttons: updates already taken in, command buttons offered, when a person last wrote,
and the platform's id of each proactive message (for delivery statuses).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("last_inbound_at", UTCDateTime))
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("platform_message_id", sa.String(128)))
        table.create_index("ix_outbox_platform_message_id", ["platform_message_id"])
    op.create_table(
        "offered_buttons",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("payload", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime),
    )
    op.create_index("ix_offered_buttons_message", "offered_buttons", ["user_id", "message_id"])
    op.create_table(
        "processed_updates",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("update_key", sa.String(128), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("channel", "update_key", name="uq_processed_updates"),
    )
    op.create_index("ix_processed_updates_at", "processed_updates", ["at"])


def downgrade() -> None:
    op.drop_table("processed_updates")
    op.drop_table("offered_buttons")
    with op.batch_alter_table("outbox") as table:
        table.drop_index("ix_outbox_platform_message_id")
        table.drop_column("platform_message_id")
    with op.batch_alter_table("users") as table:
        table.drop_column("last_inbound_at")
