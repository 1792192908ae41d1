"""Seller → buyer against the loopback marketplace: replies delivered by the "message" kind of
the marketplace outbox, files first, with stable idempotency keys through losses and outages."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from bot.marketplace import MarketplaceUnavailable
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.schemas import Message, Order
from bot.relay.files import FileChecker
from bot.relay.replies import AlreadyQueued, OutgoingFile, Replies
from bot.sync.marketplace_outbox import MarketplaceDispatcher
from storage.database import Database
from storage.models import MarketplaceOutbox, SandboxFile, SandboxRecord
from testkit.clock import Clock
from testkit.images import SECRET, jpeg_with_gps
from testkit.marketplace_stub import MarketplaceStub
from testkit.paid_orders import paid_order
from tests.integration.test_relay import ACCOUNTS, NOTICE, SELLER, TelegramFiles, outbox


@pytest.fixture
async def order(db: Database, stub: MarketplaceStub) -> Order:
    return await paid_order(db, stub.sandbox, SELLER, ACCOUNTS)


@dataclass
class Delivery:
    replies: Replies
    dispatcher: MarketplaceDispatcher
    clock: Clock
    telegram: TelegramFiles


@pytest.fixture
def delivery(db: Database, client: HttpMarketplace, files: FileChecker) -> Delivery:
    clock = Clock()
    telegram = TelegramFiles({"tg-photo": jpeg_with_gps()})
    replies = Replies(db, client, telegram.download, files, clock=clock)
    dispatcher = MarketplaceDispatcher(db, client, clock=clock, kinds={"message": replies.deliver})
    return Delivery(replies, dispatcher, clock, telegram)


PHOTO = OutgoingFile("tg-photo", "order-x-photo-1.jpg", "image/jpeg")


async def seller_messages(db: Database, order_id: str) -> list[dict[str, Any]]:
    async with db.snapshot() as session:
        rows = await session.scalars(
            select(SandboxRecord).where(
                SandboxRecord.kind == "message", SandboxRecord.parent == order_id
            )
        )
        return [row.data for row in rows.all() if row.data["author"] == "seller"]


async def the_row(db: Database) -> MarketplaceOutbox:
    async with db.snapshot() as session:
        row = await session.scalar(select(MarketplaceOutbox))
    assert row is not None
    return row


async def notices(db: Database) -> list[str]:
    return [
        row.payload["params"]["text"]
        for row in await outbox(db)
        if row.payload["method"] == "editMessageText"
    ]


async def test_a_reply_uploads_its_files_then_posts_the_message(
    db: Database, stub: MarketplaceStub, order: Order, delivery: Delivery
) -> None:
    await delivery.replies.queue(
        SELLER, order.number, "Here it is", [PHOTO], source="5001-10", notice=NOTICE
    )
    assert await delivery.dispatcher.deliver_due() == 1

    row = await the_row(db)
    [upload] = stub.requests_for("/v1/files", "POST")
    [post] = stub.requests_for(f"/v1/orders/{order.id}/messages", "POST")
    assert upload.idempotency_key == f"{row.idempotency_key}:file:1"
    assert post.idempotency_key == row.idempotency_key
    assert post.json["text"] == "Here it is"
    [sent] = await seller_messages(db, order.id)
    assert sent["attachments"][0]["filename"] == "order-x-photo-1.jpg"
    async with db.snapshot() as session:
        stored = await session.get(SandboxFile, sent["attachments"][0]["id"])
    assert stored is not None
    assert not Image.open(io.BytesIO(stored.data)).getexif()
    assert SECRET.encode() not in stored.data
    assert row.delivered_at is not None and row.failed_at is None
    assert await notices(db) == [f"✅ Sent to the buyer of order {order.number}."]


async def test_an_upload_whose_answer_was_lost_is_repeated_under_the_same_key(
    db: Database, stub: MarketplaceStub, order: Order, delivery: Delivery
) -> None:
    await delivery.replies.queue(
        SELLER, order.number, "Shipping today", [PHOTO], source="5001-11", notice=NOTICE
    )
    stub.fail_next(1, apply=True)  # the upload is stored, but its answer is lost
    assert await delivery.dispatcher.deliver_due() == 0
    delivery.clock.advance(600)
    assert await delivery.dispatcher.deliver_due() == 1
    row = await the_row(db)
    uploads = stub.requests_for("/v1/files", "POST")
    assert [r.idempotency_key for r in uploads] == [f"{row.idempotency_key}:file:1"] * 2
    async with db.snapshot() as session:
        assert len((await session.scalars(select(SandboxFile))).all()) == 1
    assert len(await seller_messages(db, order.id)) == 1


async def test_a_message_whose_answer_was_lost_is_posted_once(
    db: Database, stub: MarketplaceStub, order: Order, delivery: Delivery
) -> None:
    await delivery.replies.queue(SELLER, order.number, "Hi", [], source="5001-17", notice=NOTICE)
    stub.fail_next(1, apply=True)
    await delivery.dispatcher.deliver_due()
    delivery.clock.advance(600)
    await delivery.dispatcher.deliver_due()
    row = await the_row(db)
    assert row.delivered_at is not None and row.attempts == 2
    posts = stub.requests_for(f"/v1/orders/{order.id}/messages", "POST")
    assert [r.idempotency_key for r in posts] == [row.idempotency_key] * 2
    assert len(await seller_messages(db, order.id)) == 1


async def test_a_long_outage_keeps_the_reply_until_the_marketplace_is_back(
    db: Database, stub: MarketplaceStub, order: Order, delivery: Delivery
) -> None:
    await delivery.replies.queue(
        SELLER, order.number, "Still there?", [], source="5001-12", notice=NOTICE
    )
    with stub.outage(drop=True):
        for _ in range(5):
            assert await delivery.dispatcher.deliver_due() == 0
            delivery.clock.advance(600)
    row = await the_row(db)
    assert row.delivered_at is None and row.failed_at is None
    assert await notices(db) == []
    assert await delivery.dispatcher.deliver_due() == 1
    assert [m["text"] for m in await seller_messages(db, order.id)] == ["Still there?"]


class FlakyMessages:
    """The real client, but the next message post finds the marketplace down."""

    def __init__(self, inner: HttpMarketplace) -> None:
        self.inner = inner
        self.failures = 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def send_message(self, *args: Any, **kwargs: Any) -> Message:
        if self.failures:
            self.failures -= 1
            raise MarketplaceUnavailable("down for maintenance")
        return await self.inner.send_message(*args, **kwargs)


async def test_files_already_uploaded_are_not_fetched_or_uploaded_again_on_retry(
    db: Database, stub: MarketplaceStub, client: HttpMarketplace, order: Order, files: FileChecker
) -> None:
    clock, telegram = Clock(), TelegramFiles({"tg-photo": jpeg_with_gps()})
    flaky = FlakyMessages(client)
    replies = Replies(db, flaky, telegram.download, files, clock=clock)
    dispatcher = MarketplaceDispatcher(db, client, clock=clock, kinds={"message": replies.deliver})
    await replies.queue(SELLER, order.number, "", [PHOTO], source="5001-13", notice=None)
    assert await dispatcher.deliver_due() == 0
    assert len((await the_row(db)).payload["uploaded"]) == 1
    clock.advance(600)
    assert await dispatcher.deliver_due() == 1
    assert telegram.downloads == 1
    assert len(stub.requests_for("/v1/files", "POST")) == 1


async def test_a_telegram_hiccup_while_fetching_a_file_waits_like_an_outage(
    db: Database, order: Order, delivery: Delivery
) -> None:
    delivery.telegram.failures = 1
    await delivery.replies.queue(
        SELLER, order.number, "Pic", [PHOTO], source="5001-14", notice=None
    )
    assert await delivery.dispatcher.deliver_due() == 0
    assert (await the_row(db)).failed_at is None
    delivery.clock.advance(600)
    assert await delivery.dispatcher.deliver_due() == 1


async def test_a_refused_reply_is_reported_to_the_seller_and_not_retried(
    db: Database, stub: MarketplaceStub, order: Order, delivery: Delivery
) -> None:
    await delivery.replies.queue(
        SELLER, order.number, "x" * 4001, [], source="5001-15", notice=NOTICE
    )
    await delivery.dispatcher.deliver_due()
    row = await the_row(db)
    assert row.failed_at is not None
    [notice] = await notices(db)
    assert notice.startswith("⛔ The marketplace refused your message")
    delivery.clock.advance(3600)
    assert await delivery.dispatcher.deliver_due() == 0
    assert await seller_messages(db, order.id) == []


async def test_the_same_telegram_message_is_queued_once(
    db: Database, order: Order, delivery: Delivery
) -> None:
    await delivery.replies.queue(SELLER, order.number, "Hi", [], source="5001-16", notice=None)
    with pytest.raises(AlreadyQueued):
        await delivery.replies.queue(SELLER, order.number, "Hi", [], source="5001-16", notice=None)
