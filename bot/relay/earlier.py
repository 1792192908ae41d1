"""What one side wrote about an order just before: where a contact split over messages is sought.

A buyer's earlier messages are the ones kept for the board (``OrderMessage``), a seller's are
the marketplace outbox rows of kind ``message``; both hold the text as it was relayed, masked.
At most ``EARLIER_MESSAGES`` are read, none older than ``EARLIER_WITHIN`` before the new one
(see :func:`bot.domain.masking.mask_continuing`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.masking import EARLIER_MESSAGES, EARLIER_WITHIN, MaskResult, mask_continuing
from bot.marketplace import schemas
from storage.models import MarketplaceOutbox, Order, OrderMessage

#: The marketplace outbox kind of a seller's message to the buyer (see ``bot.relay.replies``).
SELLER_MESSAGE = "message"


async def earlier_buyer_texts(
    session: AsyncSession, message: schemas.Message, order: Order
) -> list[str]:
    """The same author's messages about the order just before ``message``, oldest first."""
    rows = await session.scalars(
        select(OrderMessage.text)
        .where(
            OrderMessage.order_id == order.id,
            OrderMessage.author == message.author,
            OrderMessage.id != message.id,
            OrderMessage.sent_at <= message.sent_at,
            OrderMessage.sent_at >= message.sent_at - EARLIER_WITHIN,
        )
        .order_by(OrderMessage.sent_at.desc())
        .limit(EARLIER_MESSAGES)
    )
    return list(reversed(rows.all()))


async def masked_buyer_text(
    session: AsyncSession, message: schemas.Message, order: Order
) -> MaskResult:
    """The buyer's message masked, with what it completes of their earlier messages hidden."""
    return mask_continuing(message.text, await earlier_buyer_texts(session, message, order))


async def earlier_seller_texts(session: AsyncSession, order_id: str, now: datetime) -> list[str]:
    """The seller's messages to the order's buyer in the last minutes, oldest first."""
    rows = await session.scalars(
        select(MarketplaceOutbox.payload)
        .where(
            MarketplaceOutbox.order_id == order_id,
            MarketplaceOutbox.kind == SELLER_MESSAGE,
            MarketplaceOutbox.created_at >= now - EARLIER_WITHIN,
        )
        .order_by(MarketplaceOutbox.id.desc())
        .limit(EARLIER_MESSAGES)
    )
    return [str(payload.get("text") or "") for payload in reversed(rows.all())]
