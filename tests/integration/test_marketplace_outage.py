"""A marketplace outage of several minutes, against the loopback marketplace over HTTP.

Time is under control: the dispatcher's clock moves on by the minute while every connection to
the marketplace is dropped, so the test covers a ten-minute outage in well under a second.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.domain.lifecycle import Status, StatusChange
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.schemas import Order
from bot.sync.marketplace_outbox import MAX_BACKOFF, MarketplaceDispatcher
from bot.sync.orders import Notice, OrderService
from storage.database import Database
from storage.models import HistoryEntry, MarketplaceOutbox, TelegramOutbox
from testkit.clock import Clock
from testkit.marketplace_stub import MarketplaceStub
from testkit.paid_orders import paid_order
from tests.e2e.helpers import TRACKING

pytestmark = pytest.mark.slow

SELLER = "seller-outage"
CHAT = 7001
OUTAGE = timedelta(minutes=10)


@pytest.fixture
async def order(db: Database, stub: MarketplaceStub) -> Order:
    return await paid_order(db, stub.sandbox, SELLER, {CHAT: "en"})


async def rows(db: Database) -> list[MarketplaceOutbox]:
    async with db.snapshot() as session:
        query = select(MarketplaceOutbox).order_by(MarketplaceOutbox.id)
        return list((await session.scalars(query)).all())


async def sync_states(db: Database, order_id: str) -> list[str]:
    async with db.snapshot() as session:
        query = select(HistoryEntry.sync_state).where(
            HistoryEntry.order_id == order_id, HistoryEntry.source == "seller"
        )
        return list((await session.scalars(query.order_by(HistoryEntry.id))).all())


async def test_changes_made_during_a_ten_minute_outage_go_through_once_when_it_ends(
    db: Database, stub: MarketplaceStub, client: HttpMarketplace, order: Order
) -> None:
    clock = Clock()
    orders = OrderService(db, clock=clock)
    dispatcher = MarketplaceDispatcher(db, client, clock=clock)
    tracking = TRACKING[order.delivery.carrier]
    notice = Notice(chat_id=CHAT, message_id=40, locale="en")

    with stub.outage(drop=True):
        await orders.change_status(
            SELLER, order.number, StatusChange(Status.PROCESSING), actor_telegram_id=CHAT
        )
        await orders.change_status(
            SELLER,
            order.number,
            StatusChange(Status.SHIPPED, tracking_number=tracking, carrier=order.delivery.carrier),
            actor_telegram_id=CHAT,
            notice=notice,
        )
        started = clock.now
        while clock.now - started < OUTAGE:
            assert await dispatcher.deliver_due() == 0
            clock.advance(20)
        waiting = await rows(db)
        # Still waiting, never given up on, and the seller's history still says so.
        assert [(r.delivered_at, r.failed_at) for r in waiting] == [(None, None)] * 2
        assert waiting[0].attempts >= 8
        assert await sync_states(db, order.id) == ["pending", "pending"]
        assert await stub.applied_changes(order.id) == []

    # Back up: within one backoff at most, both changes go through, in the seller's order.
    clock.advance(MAX_BACKOFF.total_seconds())
    assert await dispatcher.deliver_due() == 1
    assert await dispatcher.deliver_due() == 1
    applied = await stub.applied_changes(order.id)
    assert [change["status"] for change in applied] == ["PROCESSING", "SHIPPED"]
    assert tracking in applied[1]["comment"]
    assert await sync_states(db, order.id) == ["synced", "synced"]
    # Every attempt of a change carried that change's one Idempotency-Key.
    posts = stub.requests_for(f"/v1/orders/{order.id}/status", "POST")
    keys = {r.idempotency_key for r in posts}
    assert keys == {r.idempotency_key for r in waiting}
    assert len(posts) > 2
    # Nothing more to do, and the seller's ⏳ message now says ✅.
    clock.advance(MAX_BACKOFF.total_seconds())
    assert await dispatcher.deliver_due() == 0
    async with db.snapshot() as session:
        edits = (
            await session.scalars(
                select(TelegramOutbox)
                .where(TelegramOutbox.chat_id == CHAT)
                .order_by(TelegramOutbox.id)
            )
        ).all()
    assert any(
        e.payload["method"] == "editMessageText" and e.payload["params"]["text"].startswith("✅")
        for e in edits
    )
