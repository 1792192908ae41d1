"""A buyer is told on the order's thread what became of their files: what was covered in which,
or that one was not passed on and why; in the language they write in, once per file, however
many of the shop's accounts it went to, and the file is scanned once for all of them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery.notify import SellerDefaults
from bot.domain.files import FileRefusal, FileRefused
from bot.i18n import translator
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.schemas import Message, Order
from bot.presentation.contacts import contact_kind_names
from bot.presentation.file_notes import BuyerFileNotes
from bot.presentation.relayed import render_buyer_message
from bot.relay.buyer_notes import FILE_NOTE, BuyerNotes
from bot.relay.files import FileChecker
from bot.relay.incoming import BuyerRelay
from bot.relay.replies import Replies
from bot.sync.marketplace_outbox import MarketplaceDispatcher
from storage.database import Database
from storage.models import MarketplaceOutbox
from testkit.corpora import hostile
from testkit.corpora.files import first_of
from testkit.images import jpeg_with_gps
from testkit.marketplace_stub import MarketplaceStub
from testkit.paid_orders import paid_order
from tests.integration.test_relay import (
    ACCOUNTS,
    CHATS,
    SELLER,
    TelegramFiles,
    outbox,
    relay_buyer_message,
)


@pytest.fixture
async def order(db: Database, stub: MarketplaceStub) -> Order:
    return await paid_order(db, stub.sandbox, SELLER, ACCOUNTS)


@pytest.fixture
def relay(db: Database, client: HttpMarketplace, files: FileChecker) -> BuyerRelay:
    notes = BuyerNotes(db, BuyerFileNotes())
    return BuyerRelay(client, SellerDefaults(), render_buyer_message, files, notes)


async def notes(db: Database) -> list[MarketplaceOutbox]:
    async with db.snapshot() as session:
        rows = await session.scalars(
            select(MarketplaceOutbox).where(MarketplaceOutbox.kind == FILE_NOTE)
        )
        return list(rows.all())


async def sent_attachments(db: Database) -> list[dict[str, Any]]:
    return [row.payload["attachment"] for row in await outbox(db) if row.payload["attachment"]]


async def send_to_every_account(db: Database, relay: BuyerRelay) -> list[Any]:
    """What the Telegram outbox does for each account's copy of the files, all at once."""
    loads = [relay.load_attachment(attachment) for attachment in await sent_attachments(db)]
    return await asyncio.gather(*loads, return_exceptions=True)


async def test_a_covered_card_is_scanned_once_for_every_account_and_the_buyer_is_told_once(
    db: Database, stub: MarketplaceStub, order: Order, relay: BuyerRelay, files: FileChecker
) -> None:
    card = first_of("card")
    message = await stub.sandbox.buyer_writes(
        order.id, "Здравейте, ето визитката ми", [("визитка.jpg", card.content_type, card.data)]
    )
    await relay_buyer_message(db, relay, message)
    loaded = await send_to_every_account(db, relay)
    assert len(loaded) == len(CHATS)
    assert all(not isinstance(one, Exception) and one.covered for one in loaded)
    assert files.pool.jobs == 1
    [note] = await notes(db)
    text = note.payload["text"]
    assert "„визитка.jpg“" in text
    covered = (await files.check(card.data)).covered
    assert contact_kind_names(covered, translator("bg")) in text
    assert note.order_id == order.id


async def test_the_note_reaches_the_orders_thread_on_the_marketplace(
    db: Database,
    stub: MarketplaceStub,
    client: HttpMarketplace,
    order: Order,
    relay: BuyerRelay,
    files: FileChecker,
) -> None:
    card = first_of("card")
    message = await stub.sandbox.buyer_writes(
        order.id, "Hello, here is my card", [("card.jpg", card.content_type, card.data)]
    )
    await relay_buyer_message(db, relay, message)
    await send_to_every_account(db, relay)
    replies = Replies(db, client, TelegramFiles().download, files)
    dispatcher = MarketplaceDispatcher(db, client, kinds={FILE_NOTE: replies.deliver})
    assert await dispatcher.deliver_due() == 1
    [posted] = stub.requests_for(f"/v1/orders/{order.id}/messages", "POST")
    assert "in your picture “card.jpg”" in posted.json["text"]
    assert "were covered before the seller got it" in posted.json["text"]
    assert posted.json["attachment_ids"] == []


async def test_a_clean_file_needs_no_note(
    db: Database, stub: MarketplaceStub, order: Order, relay: BuyerRelay
) -> None:
    message = await stub.sandbox.buyer_writes(
        order.id, "", [("me.jpg", "image/jpeg", jpeg_with_gps())]
    )
    await relay_buyer_message(db, relay, message)
    await send_to_every_account(db, relay)
    assert await notes(db) == []


async def test_an_animated_picture_is_refused_with_its_reason_to_the_seller_and_the_buyer(
    db: Database, stub: MarketplaceStub, order: Order, relay: BuyerRelay
) -> None:
    message = await stub.sandbox.buyer_writes(
        order.id, "Вижте как се движи", [("dance.png", "image/png", hostile.animated_png())]
    )
    await relay_buyer_message(db, relay, message)
    refused = await send_to_every_account(db, relay)
    assert all(isinstance(one, FileRefused) for one in refused)
    english, bulgarian = (
        a["refused_notes"][FileRefusal.ANIMATED] for a in await sent_attachments(db)
    )
    header, line = english.split("\n")
    assert order.number in header
    assert "animated picture" in line
    assert "анимирана картинка" in bulgarian.split("\n")[1]
    [note] = await notes(db)
    assert "„dance.png“ не беше препратен на продавача: анимирана картинка" in note.payload["text"]


async def test_a_file_of_a_type_the_relay_does_not_pass_on_is_noted_on_arrival_in_english(
    db: Database, stub: MarketplaceStub, order: Order, relay: BuyerRelay
) -> None:
    message = await stub.sandbox.buyer_writes(
        order.id, "", [("my contacts 0888123456.zip", "application/zip", b"PK\x03\x04rest")]
    )
    await relay_buyer_message(db, relay, message)
    [note] = await notes(db)
    text = note.payload["text"]
    assert "was not passed on to the seller: it is not a JPEG, PNG or WebP picture or a PDF" in text
    assert "0888" not in text, "the name is masked: the seller reads the thread too"
    await relay_buyer_message(db, relay, message)
    assert len(await notes(db)) == 1, "the same message delivered again is noted once"


async def test_files_from_marketplace_staff_get_no_note(
    db: Database, stub: MarketplaceStub, order: Order, relay: BuyerRelay
) -> None:
    buyer = await stub.sandbox.buyer_writes(
        order.id, "", [("notes.zip", "application/zip", b"PK\x03\x04rest")]
    )
    staff = Message.model_validate(
        {
            **buyer.model_dump(mode="json"),
            "id": "msg-staff",
            "author": "staff",
            "sent_at": datetime.now(UTC).isoformat(),
        }
    )
    await relay_buyer_message(db, relay, staff)
    assert await notes(db) == []
