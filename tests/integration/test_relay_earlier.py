"""A split contact across stored messages: the buyer's kept for the board, the seller's queued."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.board.messages import keeping
from bot.delivery.notify import SellerDefaults
from bot.domain.masking import EARLIER_WITHIN, MASK
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.schemas import Message, Order
from bot.presentation.relayed import render_buyer_message
from bot.relay.files import FileChecker
from bot.relay.incoming import BuyerRelay
from bot.relay.replies import Replies
from storage.database import Database
from storage.models import Order as OrderRow
from storage.models import OrderMessage, TelegramOutbox
from testkit.clock import Clock
from testkit.marketplace_stub import MarketplaceStub
from testkit.paid_orders import paid_order

SELLER = "seller-earlier"
CHAT = 6001


@pytest.fixture
async def order(db: Database, stub: MarketplaceStub) -> Order:
    return await paid_order(db, stub.sandbox, SELLER, {CHAT: "en"})


async def buyer_writes(
    db: Database, stub: MarketplaceStub, relay: BuyerRelay, order: Order, text: str
) -> Message:
    """The buyer writes; the message is kept for the board and relayed, as the event hook does."""
    message = await stub.sandbox.buyer_writes(order.id, text)
    hook = keeping(relay.on_buyer_message)
    async with db.transaction() as session:
        row = await session.get(OrderRow, message.order_id)
        assert row is not None
        await hook(session, message, row)
        await session.commit()
    return message


async def test_a_number_split_over_buyer_messages_is_hidden_for_the_seller_and_the_board(
    db: Database, stub: MarketplaceStub, client: HttpMarketplace, order: Order, files: FileChecker
) -> None:
    relay = BuyerRelay(client, SellerDefaults(), render_buyer_message, files)
    await buyer_writes(db, stub, relay, order, "Mine is 0888")
    await buyer_writes(db, stub, relay, order, "123 456")
    await buyer_writes(db, stub, relay, order, "Is the blue one in stock?")
    async with db.snapshot() as session:
        kept = list(await session.scalars(select(OrderMessage.text).order_by(OrderMessage.sent_at)))
        sent = [
            row.payload["params"]["text"]
            for row in await session.scalars(select(TelegramOutbox).order_by(TelegramOutbox.id))
        ]
    assert kept == ["Mine is 0888", MASK, "Is the blue one in stock?"]
    assert "123 456" not in sent[1] and MASK in sent[1]
    assert MASK not in sent[2]


async def test_the_seller_side_reads_its_last_few_recent_messages_oldest_first(
    db: Database, client: HttpMarketplace, order: Order, files: FileChecker
) -> None:
    clock = Clock()

    async def no_download(file_id: str) -> bytes:
        raise AssertionError("no file here")

    replies = Replies(db, client, no_download, files, clock=clock)
    await replies.queue(SELLER, order.number, "old", [], source="1", notice=None)
    clock.advance(EARLIER_WITHIN.total_seconds() + 1)
    for n, text in enumerate(["a", "b", "0888", "12"], start=2):
        await replies.queue(SELLER, order.number, text, [], source=str(n), notice=None)
    assert await replies.earlier_texts(order.id) == ["b", "0888", "12"]
    clock.advance(EARLIER_WITHIN.total_seconds() + 1)
    assert await replies.earlier_texts(order.id) == []
