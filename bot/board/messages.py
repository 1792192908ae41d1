"""Keep each buyer message for the board: the conversation view and the first-reply figures.

Installed beside the relay on ``EventProcessor.on_buyer_message``, so the message is stored in
the event's own transaction, masked exactly as the seller reads it in the chat. A message
delivered twice is kept once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.marketplace import schemas
from bot.relay.earlier import masked_buyer_text
from storage.models import Order, OrderMessage

BuyerMessageHook = Callable[[AsyncSession, schemas.Message, Order], Awaitable[None]]


async def keep_buyer_message(session: AsyncSession, message: schemas.Message, order: Order) -> None:
    """Store the buyer's (or staff's) message with contact details hidden."""
    if await session.get(OrderMessage, message.id) is not None:
        return
    session.add(
        OrderMessage(
            id=message.id,
            order_id=order.id,
            seller_id=order.seller_id,
            author=message.author,
            text=(await masked_buyer_text(session, message, order)).text,
            attachments=len(message.attachments),
            sent_at=message.sent_at,
        )
    )


def keeping(relay: BuyerMessageHook) -> BuyerMessageHook:
    """The relay's hook, with the message kept for the board first."""

    async def hook(session: AsyncSession, message: schemas.Message, order: Order) -> None:
        await keep_buyer_message(session, message, order)
        await relay(session, message, order)

    return hook
