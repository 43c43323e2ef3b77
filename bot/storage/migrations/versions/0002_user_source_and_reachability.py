"""Where a person came from, the cohort a link named, and whether the platform can still reach them.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("source", sa.String(64)))
        table.add_column(sa.Column("cohort_code", sa.String(64)))
        table.add_column(sa.Column("unreachable_at", UTCDateTime))


def downgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.drop_column("unreachable_at")
        table.drop_column("cohort_code")
        table.drop_column("source")
