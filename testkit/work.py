"""What the bot still has to do: events to process, changes and messages to deliver."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.database import Database
from storage.models import InboxEvent, MarketplaceOutbox, TelegramOutbox


async def unfinished(db: Database) -> int:
    """Rows the bot has neither finished nor given up on, across the inbox and both outboxes."""
    async with db.snapshot() as session:
        total = 0
        for query in (
            select(func.count()).where(InboxEvent.processed_at.is_(None)),
            select(func.count()).where(
                MarketplaceOutbox.delivered_at.is_(None), MarketplaceOutbox.failed_at.is_(None)
            ),
            select(func.count()).where(
                TelegramOutbox.sent_at.is_(None), TelegramOutbox.failed_at.is_(None)
            ),
        ):
            total += int(await session.scalar(query) or 0)
        return total
