"""An event's type holds any length, and no account's chat is a group any more.

``inbox_events.type`` was ``VARCHAR(64)`` while the marketplace puts no limit on an event's type:
on PostgreSQL one long type failed the whole group-commit batch it was written in. A private
chat's id is its user's id, so an account whose chat is anything else was moved into a group by
an update from there (before the bot kept to private chats); it goes back to its own chat.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type", existing_type=sa.String(length=64), type_=sa.Text(), existing_nullable=False
        )
    op.execute("UPDATE telegram_accounts SET chat_id = user_id WHERE chat_id <> user_id")


def downgrade() -> None:
    # Types longer than the old column are cut; the accounts' chats stay private (no loss).
    op.execute("UPDATE inbox_events SET type = substr(type, 1, 64) WHERE length(type) > 64")
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type", existing_type=sa.Text(), type_=sa.String(length=64), existing_nullable=False
        )
