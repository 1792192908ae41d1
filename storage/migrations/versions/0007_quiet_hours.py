"""Quiet hours: each seller's window of the night in which notifications arrive silently.

``sellers.quiet_start`` and ``quiet_end`` are local whole hours (NULL: the default 22-08),
``quiet_enabled`` switches the window off without forgetting it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sellers") as batch:
        batch.add_column(sa.Column("quiet_start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("quiet_end", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("quiet_enabled", sa.Boolean(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("sellers") as batch:
        batch.drop_column("quiet_enabled")
        batch.drop_column("quiet_end")
        batch.drop_column("quiet_start")
