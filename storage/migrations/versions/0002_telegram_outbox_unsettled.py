"""Index each chat's unsettled outbox messages, for claiming the head of every chat's queue.

It replaces the index of due messages, which every sent message stayed in: claims slowed down
as the outbox grew.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 06:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UNSETTLED = sa.text("sent_at IS NULL AND failed_at IS NULL")


def upgrade() -> None:
    op.drop_index("ix_telegram_outbox_due", table_name="telegram_outbox")
    op.create_index(
        "ix_telegram_outbox_unsettled",
        "telegram_outbox",
        ["chat_id", "id"],
        unique=False,
        sqlite_where=UNSETTLED,
        postgresql_where=UNSETTLED,
    )


def downgrade() -> None:
    op.drop_index("ix_telegram_outbox_unsettled", table_name="telegram_outbox")
    op.create_index(
        "ix_telegram_outbox_due",
        "telegram_outbox",
        ["sent_at", "failed_at", "next_attempt_at"],
        unique=False,
    )
