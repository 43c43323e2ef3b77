"""Broadcasts, the people each was queued for, campaigns and the people who came through them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("segment", sa.JSON, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("texts", sa.JSON, nullable=False),
        sa.Column("buttons", sa.JSON, nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("timing", sa.String(8), nullable=False),
        sa.Column("send_at", UTCDateTime),
        sa.Column("local_at", sa.String(16)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("drafted_by", sa.Integer, sa.ForeignKey("staff_accounts.id", ondelete="SET NULL")),
        sa.Column("drafted_by_email", sa.String(254), nullable=False),
        sa.Column("approved_by_email", sa.String(254)),
        sa.Column("approved_at", UTCDateTime),
        sa.Column("approved_version", sa.Integer),
        sa.Column("cancelled_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "broadcast_recipients",
        sa.Column(
            "broadcast_id", sa.Integer, sa.ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
        sa.Column("queued_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_broadcast_recipients_user", "broadcast_recipients", ["user_id"])
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_by_email", sa.String(254), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "campaign_contacts",
        sa.Column(
            "campaign_id", sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("first", sa.Integer, nullable=False),
    )
    op.create_index("ix_campaign_contacts_campaign_at", "campaign_contacts", ["campaign_id", "at"])
    op.create_index("ix_campaign_contacts_user_id", "campaign_contacts", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_campaign_contacts_user_id", "campaign_contacts")
    op.drop_index("ix_campaign_contacts_campaign_at", "campaign_contacts")
    op.drop_table("campaign_contacts")
    op.drop_table("campaigns")
    op.drop_index("ix_broadcast_recipients_user", "broadcast_recipients")
    op.drop_table("broadcast_recipients")
    op.drop_table("broadcasts")
