"""Which buyer a seller's message goes to: the order of the relayed buyer message it replies to
(``RelayLink``), or the one of the open compose step (``user_data[COMPOSE]``, see relay.mmd)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from telegram import Message, Update

from handlers.context import Context
from handlers.who import Who, identify
from storage import repositories
from storage.models import RelayLink

COMPOSE = "relay"
COMPOSE_TTL = timedelta(minutes=30)
#: how old a replied-to bot message may be and still be waiting for its relay record
RECORD_GRACE = timedelta(seconds=10)


async def target(
    update: Update, context: Context, message: Message
) -> tuple[Who | None, str | None]:
    """Who writes and to which order's buyer, or (None, None) when the message is not a reply."""
    reply = message.reply_to_message
    compose = open_compose_step(context, message)
    if reply is None and compose is None:
        return None, None
    who = await identify(update, context)
    if who.seller_id is None:
        return None, None
    if reply is not None:
        number = await relayed_order(context, who, reply)
        if number is not None:
            return who, number
    if compose is not None:
        return who, compose["number"]
    return None, None


def open_compose_step(context: Context, message: Message) -> dict[str, Any] | None:
    """The open compose step, if it is still fresh and this message may answer it."""
    compose = context.user_data.get(COMPOSE)
    if not compose:
        return None
    since = datetime.fromisoformat(compose["since"])
    album = compose.get("album")
    if datetime.now(UTC) - since > COMPOSE_TTL or (album and message.media_group_id != album):
        context.user_data.pop(COMPOSE, None)
        return None
    return dict(compose)


def after_sent(context: Context, message: Message) -> None:
    """Close the compose step; the other pictures of the same album still go to the buyer."""
    compose = context.user_data.get(COMPOSE)
    if compose and message.media_group_id:
        context.user_data[COMPOSE] = {**compose, "album": message.media_group_id}
    else:
        context.user_data.pop(COMPOSE, None)


async def relayed_order(context: Context, who: Who, replied_to: Message) -> str | None:
    """The number of the order whose buyer message this chat's message carries."""
    number = await _linked_order(context, who, replied_to.message_id)
    # A reply can beat the sender's record of the message it answers: Telegram shows the message
    # the moment it is sent, and its id is written just after. Give a fresh one a moment.
    fresh = replied_to.date is not None and datetime.now(UTC) - replied_to.date < RECORD_GRACE
    for _ in range(20 if number is None and fresh else 0):
        await asyncio.sleep(0.1)
        if (number := await _linked_order(context, who, replied_to.message_id)) is not None:
            break
    return number


async def _linked_order(context: Context, who: Who, telegram_message_id: int) -> str | None:
    async with context.runtime.db.snapshot() as session:
        order_id = await session.scalar(
            select(RelayLink.order_id).where(
                RelayLink.chat_id == who.chat_id,
                RelayLink.telegram_message_id == telegram_message_id,
            )
        )
        order = await repositories.order(session, order_id) if order_id else None
    if order is None or order.seller_id != who.seller_id:
        return None
    return order.number
