"""The order board: buyer messages kept for the board, the weekly card's switch and records.

``order_messages`` keeps each buyer (or marketplace staff) message with contact details masked;
``weekly_cards`` claims one performance card per seller and week; ``sellers.weekly_card_enabled``
is the /settings switch; ``ix_orders_seller_ship_by`` serves the weekly figures.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sellers") as batch:
        batch.add_column(
            sa.Column("weekly_card_enabled", sa.Boolean(), server_default="1", nullable=False)
        )
    op.create_index("ix_orders_seller_ship_by", "orders", ["seller_id", "ship_by"], unique=False)
    op.create_table(
        "order_messages",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("author", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_messages_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_messages")),
    )
    op.create_index(
        op.f("ix_order_messages_order_id"), "order_messages", ["order_id"], unique=False
    )
    op.create_index(
        "ix_order_messages_seller_sent", "order_messages", ["seller_id", "sent_at"], unique=False
    )
    op.create_table(
        "weekly_cards",
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_weekly_cards_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", "week_start", name=op.f("pk_weekly_cards")),
    )


def downgrade() -> None:
    op.drop_table("weekly_cards")
    op.drop_index("ix_order_messages_seller_sent", table_name="order_messages")
    op.drop_index(op.f("ix_order_messages_order_id"), table_name="order_messages")
    op.drop_table("order_messages")
    op.drop_index("ix_orders_seller_ship_by", table_name="orders")
    with op.batch_alter_table("sellers") as batch:
        batch.drop_column("weekly_card_enabled")
