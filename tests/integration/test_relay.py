"""The relay against the loopback marketplace: buyer messages rendered for the seller's accounts
(the seller's replies to buyers: test_replies.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from PIL import Image
from sqlalchemy import select
from telegram.error import NetworkError, TimedOut

from bot.delivery.notify import SellerDefaults
from bot.domain.files import FileRefused
from bot.domain.relay_text import TELEGRAM_TEXT_LIMIT, utf16_len
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.schemas import Message, Order
from bot.presentation.relayed import render_buyer_message
from bot.relay.files import FileChecker
from bot.relay.incoming import BuyerRelay
from bot.sync.orders import Notice
from storage.database import Database
from storage.models import Order as OrderRow
from storage.models import TelegramOutbox
from testkit.images import GPS_IFD, SECRET, jpeg_with_gps, png_with_text
from testkit.marketplace_stub import MarketplaceStub
from testkit.paid_orders import paid_order

SELLER = "seller-relay"
ACCOUNTS = {5001: "en", 5002: "bg"}
CHATS = tuple(ACCOUNTS)
NOTICE = Notice(chat_id=5001, message_id=77, locale="en")


@dataclass
class TelegramFiles:
    """Stands in for Telegram's file storage; counts downloads, fails on demand."""

    files: dict[str, bytes] = field(default_factory=dict)
    downloads: int = 0
    failures: int = 0

    async def download(self, file_id: str) -> bytes:
        self.downloads += 1
        if self.failures:
            self.failures -= 1
            raise TimedOut("telegram is slow")
        return self.files[file_id]


@pytest.fixture
async def order(db: Database, stub: MarketplaceStub) -> Order:
    """A paid order in the marketplace and in the replica, for a seller with two accounts."""
    return await paid_order(db, stub.sandbox, SELLER, ACCOUNTS)


async def outbox(db: Database) -> list[TelegramOutbox]:
    async with db.snapshot() as session:
        return list(await session.scalars(select(TelegramOutbox).order_by(TelegramOutbox.id)))


async def relay_buyer_message(db: Database, relay: BuyerRelay, message: Message) -> None:
    async with db.transaction() as session:
        order = await session.get(OrderRow, message.order_id)
        assert order is not None
        await relay.on_buyer_message(session, message, order)
        await session.commit()


# Buyer → seller ---------------------------------------------------------------------------------


async def test_a_buyer_message_reaches_every_account_masked_split_and_with_its_photo(
    db: Database, stub: MarketplaceStub, client: HttpMarketplace, order: Order, files: FileChecker
) -> None:
    text = "Hello! Call me on 0888 123 456.\n\n" + "Is the blue one in stock? " * 400
    message = await stub.sandbox.buyer_writes(
        order.id,
        text,
        [
            ("Ivan Petrov 0888123456.jpg", "image/jpeg", jpeg_with_gps()),
            ("contacts.zip", "application/zip", b"PK\x03\x04rest"),
        ],
    )
    relay = BuyerRelay(client, SellerDefaults(), render_buyer_message, files)
    await relay_buyer_message(db, relay, message)

    rows = await outbox(db)
    for chat_id in CHATS:
        mine = [row.payload for row in rows if row.chat_id == chat_id]
        texts = [p for p in mine if p["method"] == "sendMessage"]
        photos = [p for p in mine if p["method"] == "sendPhoto"]
        assert len(texts) >= 2, "a long message is split"
        assert len(photos) == 1, "the zip is not relayed"
        for payload in texts:
            body = payload["params"]["text"]
            assert utf16_len(body) <= TELEGRAM_TEXT_LIMIT
            assert order.number in body
            assert "0888" not in body
        assert "[•••]" in texts[0]["params"]["text"]
        if chat_id == CHATS[0]:
            assert "Buyer" in texts[0]["params"]["text"].split("\n")[0]
            assert "(1/" in texts[0]["params"]["text"].split("\n")[0]
            assert "Contact details were hidden" in texts[-1]["params"]["text"]
            assert "pass on: 1." in texts[-1]["params"]["text"], "the zip is counted"
        attachment = photos[0]["attachment"]
        assert attachment["filename"] == f"order-{order.number}-photo-1.jpg"
        assert attachment["as"] == "photo"
        assert "reply_markup" in photos[0]["params"]
        expected_relay = {"order_id": order.id, "marketplace_message_id": message.id}
        assert all(p["relay"] == expected_relay for p in mine)


async def test_a_buyer_message_delivered_twice_is_relayed_once(
    db: Database, stub: MarketplaceStub, client: HttpMarketplace, order: Order, files: FileChecker
) -> None:
    message = await stub.sandbox.buyer_writes(order.id, "Any news?")
    relay = BuyerRelay(client, SellerDefaults(), render_buyer_message, files)
    await relay_buyer_message(db, relay, message)
    await relay_buyer_message(db, relay, message)
    rows = await outbox(db)
    assert len(rows) == len(CHATS)
    assert len({row.dedupe_key for row in rows}) == len(rows)


async def test_an_attachment_is_fetched_at_send_time_without_its_metadata(
    db: Database, stub: MarketplaceStub, client: HttpMarketplace, order: Order, files: FileChecker
) -> None:
    message = await stub.sandbox.buyer_writes(
        order.id, "", [("me.jpg", "image/jpeg", jpeg_with_gps())]
    )
    relay = BuyerRelay(client, SellerDefaults(), render_buyer_message, files)
    await relay_buyer_message(db, relay, message)
    [photo, _other] = [row.payload["attachment"] for row in await outbox(db)]
    loaded = await relay.load_attachment(photo)
    data = loaded.data
    picture = Image.open(io.BytesIO(data))
    assert not loaded.covered
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert SECRET.encode() not in data


async def test_an_attachment_whose_bytes_contradict_its_type_is_refused(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order, files: FileChecker
) -> None:
    message = await stub.sandbox.buyer_writes(
        order.id, "", [("me.jpg", "image/jpeg", png_with_text())]
    )
    attachment = message.attachments[0]
    relay = BuyerRelay(client, SellerDefaults(), render_buyer_message, files)
    with pytest.raises(FileRefused):
        await relay.load_attachment(
            {"file_id": attachment.id, "content_type": "image/jpeg", "as": "photo"}
        )


async def test_a_marketplace_outage_makes_the_attachment_wait_not_fail(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order, files: FileChecker
) -> None:
    message = await stub.sandbox.buyer_writes(
        order.id, "", [("me.jpg", "image/jpeg", jpeg_with_gps())]
    )
    relay = BuyerRelay(client, SellerDefaults(), render_buyer_message, files)
    attachment = {"file_id": message.attachments[0].id, "content_type": "image/jpeg"}
    with stub.outage(), pytest.raises(NetworkError):
        await relay.load_attachment(attachment)
    assert await relay.load_attachment(attachment)
