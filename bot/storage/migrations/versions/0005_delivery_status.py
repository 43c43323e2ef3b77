"""Delivery statuses on outbox rows: what the platform said after sending (sent, delivered, read, failed).

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


def downgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.drop_column("read_at")
        table.drop_column("delivered_at")
        table.drop_column("delivery_status")
