"""Owners: the running bot processes, and which of them claimed each outbox row.

A process registers itself in ``owners`` and holds a lock that dies with it (see
``bot.delivery.liveness``). Outbox rows it claims carry its id in ``claimed_by``, so another
process that finds the owner gone takes them over at once instead of waiting out the lease.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "owners",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owners")),
    )
    for table in ("telegram_outbox", "marketplace_outbox"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
    with op.batch_alter_table("telegram_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coalesce_kind", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("telegram_outbox", schema=None) as batch_op:
        batch_op.drop_column("coalesce_kind")
    for table in ("marketplace_outbox", "telegram_outbox"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("claimed_by")
    op.drop_table("owners")
