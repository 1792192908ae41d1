"""Failed /start codes, counted per Telegram account to throttle guessing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_attempts")),
    )
    op.create_index(
        "ix_link_attempts_user_id", "link_attempts", ["user_id", "attempted_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_link_attempts_user_id", table_name="link_attempts")
    op.drop_table("link_attempts")
