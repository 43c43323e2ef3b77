"""Delivery statuses on outbox rows (sent, delivered, read, failed), and WhatsApp templates as last synced.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("delivery_status", sa.String(16)))
        table.add_column(sa.Column("delivered_at", UTCDateTime))
        table.add_column(sa.Column("read_at", UTCDateTime))
    op.create_table(
        "whatsapp_templates",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32)),
        sa.Column("synced_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("name", "language", name="uq_whatsapp_templates"),
    )


def downgrade() -> None:
    op.drop_table("whatsapp_templates")
    with op.batch_alter_table("outbox") as table:
        table.drop_column("read_at")
        table.drop_column("delivered_at")
        table.drop_column("delivery_status")
