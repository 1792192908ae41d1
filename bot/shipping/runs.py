"""The shipping run's queue, and the check that a tracking number is not on another order.

A run walks the seller's PROCESSING orders, the earliest ship-by first (orders without one
last, then by when they were placed). Only the numbers are kept, so the run survives a restart
in the conversation's persisted state and an order changed elsewhere meanwhile is simply
refused when its turn comes.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.lifecycle import Status
from storage.database import Database
from storage.models import Order

#: A run holds at most this many orders; a seller with more starts another run after it.
MAX_RUN = 50


class ShippingRuns:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def queue(self, seller_id: str) -> list[str]:
        """The numbers of the seller's PROCESSING orders, the earliest ship-by first."""
        async with self._db.snapshot() as session:
            numbers = await session.scalars(
                select(Order.number)
                .where(Order.seller_id == seller_id, Order.status == Status.PROCESSING.value)
                .order_by(Order.ship_by.is_(None), Order.ship_by, Order.placed_at, Order.number)
                .limit(MAX_RUN)
            )
            return list(numbers.all())

    async def used_on(self, seller_id: str, number: str, tracking: str) -> str | None:
        """The number of another of the seller's orders that already has ``tracking``."""
        async with self._db.snapshot() as session:
            return await session.scalar(
                select(Order.number)
                .where(
                    Order.seller_id == seller_id,
                    Order.tracking_number == tracking,
                    Order.number != number,
                )
                .limit(1)
            )
