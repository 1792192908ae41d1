"""Team roles, saved replies and away mode.

Every account linked before roles existed becomes an owner (the column's default), and so do
the link codes already issued: they came from the marketplace or an operator.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("telegram_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), server_default="owner", nullable=False)
        )
        batch_op.add_column(sa.Column("first_name", sa.String(length=64), nullable=True))
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), server_default="owner", nullable=False)
        )
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("away_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("away_message", sa.Text(), nullable=True))
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_saved_replies_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_replies")),
    )
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_saved_replies_seller_position", ["seller_id", "position"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_replies_seller_position")
    op.drop_table("saved_replies")
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_column("away_message")
        batch_op.drop_column("away_until")
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.drop_column("role")
    with op.batch_alter_table("telegram_accounts", schema=None) as batch_op:
        batch_op.drop_column("first_name")
        batch_op.drop_column("role")
