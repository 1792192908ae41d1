"""A seller's weekly figures read from the replica: deadlines met, late orders, first replies.

The rules are the domain's (:func:`bot.domain.board.weekly_figures`); this module reads the rows
they need for the last weeks, by the seller's ship-by index and the messages' seller index.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.board.queries import REPLY_KIND
from bot.domain.board import (
    Exchange,
    Shipment,
    Week,
    last_weeks,
    week_bounds,
    weekly_figures,
)
from bot.domain.lifecycle import Status
from storage.models import MarketplaceOutbox, Order, OrderMessage

WEEKS = 12


async def figures(
    session: AsyncSession,
    seller_id: str,
    tz: str,
    now: datetime,
    weeks: int = WEEKS,
    *,
    first_day: int,
) -> list[Week]:
    """The seller's figures for the last ``weeks`` local weeks (from ``first_day``), oldest
    first."""
    firsts = last_weeks(now, tz, weeks, first_day=first_day)
    start, _ = week_bounds(firsts[0], tz)
    _, end = week_bounds(firsts[-1], tz)
    shipments = [
        Shipment(ship_by=ship_by, shipped_at=shipped_at, status=Status(status))
        for ship_by, shipped_at, status in (
            await session.execute(
                select(Order.ship_by, Order.shipped_at, Order.status).where(
                    Order.seller_id == seller_id,
                    Order.ship_by >= start,
                    Order.ship_by < end,
                )
            )
        ).all()
        if ship_by is not None
    ]
    written = (
        await session.execute(
            select(OrderMessage.order_id, OrderMessage.sent_at).where(
                OrderMessage.seller_id == seller_id,
                OrderMessage.author == "buyer",
                OrderMessage.sent_at >= start,
                OrderMessage.sent_at < end,
            )
        )
    ).all()
    exchanges = [Exchange(order_id, at, from_buyer=True) for order_id, at in written]
    if written:
        replied = await session.execute(
            select(MarketplaceOutbox.order_id, MarketplaceOutbox.created_at).where(
                MarketplaceOutbox.kind == REPLY_KIND,
                MarketplaceOutbox.order_id.in_({order_id for order_id, _ in written}),
                MarketplaceOutbox.failed_at.is_(None),
                MarketplaceOutbox.created_at >= start,
            )
        )
        exchanges += [Exchange(order_id, at, from_buyer=False) for order_id, at in replied.all()]
    return weekly_figures(firsts, tz, shipments, exchanges, now)


async def weeks_ending(
    session: AsyncSession, seller_id: str, tz: str, first: date, weeks: int = WEEKS
) -> list[Week]:
    """The figures of the ``weeks`` weeks ending with the one that begins on the local day
    ``first`` (whose weekday is the first of each)."""
    _, end = week_bounds(first, tz)
    last_moment = end - timedelta(microseconds=1)
    return await figures(session, seller_id, tz, last_moment, weeks, first_day=first.weekday())


def to_json(week: Week) -> dict[str, object]:
    return {
        "week_start": week.start.isoformat(),
        "orders_due": week.due,
        "shipped_on_time": week.on_time,
        "on_time_rate": week.on_time_rate,
        "late_orders": week.late,
        "first_reply_median_seconds": week.first_reply_seconds,
        "answered": week.replies,
        "unanswered": week.unanswered,
    }
