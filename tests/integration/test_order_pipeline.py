"""From a marketplace event to the seller's outbox, and from the seller's change to the
marketplace: the inbox, the event processor, the order service and the dispatcher together,
on a real database with the sandbox marketplace in-process."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery.notify import SellerDefaults
from bot.domain.lifecycle import Status, StatusChange
from bot.marketplace import MarketplaceUnavailable
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.sandbox.marketplace import SandboxMarketplace
from bot.marketplace.schemas import Order as RemoteOrder
from bot.marketplace.schemas import StatusChangeRequest
from bot.presentation.notices import Notices
from bot.sync import events as events_module
from bot.sync.events import EventProcessor
from bot.sync.inbox import Outcome, WebhookReceiver
from bot.sync.marketplace_outbox import MarketplaceDispatcher
from bot.sync.orders import Notice, OrderService
from storage.database import Database
from storage.models import HistoryEntry, Order, TelegramAccount, TelegramOutbox
from testkit.in_process_marketplace import SECRET, in_process
from tests.integration.test_webhook_receiver import HeldReceiver, event, signed

SELLER = "shop-1"


class LosesFirstAnswer:
    """The marketplace applies the first status change, but its answer never arrives."""

    def __init__(self, inner: HttpMarketplace) -> None:
        self.inner = inner
        self.lost = False
        self.keys: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def change_status(
        self, order_id: str, change: StatusChangeRequest, *, idempotency_key: str
    ) -> RemoteOrder:
        self.keys.append(idempotency_key)
        answer = await self.inner.change_status(order_id, change, idempotency_key=idempotency_key)
        if not self.lost:
            self.lost = True
            raise MarketplaceUnavailable("connection reset after the request was sent")
        return answer


@dataclass
class Pipeline:
    db: Database
    sandbox: SandboxMarketplace
    marketplace: HttpMarketplace
    receiver: WebhookReceiver
    events: EventProcessor
    dispatcher: MarketplaceDispatcher
    orders: OrderService
    deliveries: list[bytes]
    muted: bool = False

    async def settle(self) -> None:
        await self.sandbox.wait_idle()
        while await self.events.process_pending() or await self.dispatcher.deliver_due():
            await self.sandbox.wait_idle()


@pytest.fixture
async def pipeline(db: Database) -> AsyncIterator[Pipeline]:
    receiver = WebhookReceiver(db, SECRET)
    holder: dict[str, Pipeline] = {}

    async def deliver(body: bytes, headers: dict[str, str]) -> int:
        if holder["p"].muted:
            return 204  # the marketplace thinks it delivered; the bot never sees the event
        holder["p"].deliveries.append(body)
        outcome = await receiver.receive(body, headers)
        return 401 if outcome is Outcome.BAD_SIGNATURE else 204

    sandbox = SandboxMarketplace(db, webhook_secret=SECRET, deliver=deliver, verify_delay=3600)
    marketplace = HttpMarketplace("http://sandbox", None, transport=in_process(sandbox))
    events = EventProcessor(db, marketplace, SellerDefaults(), Notices())
    dispatcher = MarketplaceDispatcher(db, marketplace)
    p = Pipeline(
        db, sandbox, marketplace, receiver, events, dispatcher, OrderService(db), deliveries=[]
    )
    holder["p"] = p
    async with db.transaction() as session:
        for user_id, locale in ((11, "bg"), (12, "en")):
            session.add(
                TelegramAccount(
                    user_id=user_id, chat_id=user_id, seller_id=None, locale=locale, active=True
                )
            )
        await session.commit()
    await _link_accounts(db)
    yield p
    await sandbox.aclose()
    await marketplace.aclose()


async def _link_accounts(db: Database) -> None:
    from bot.team.linking import Linker

    linker = Linker(db)
    for user_id in (11, 12):
        await linker.link_directly(SELLER, user_id=user_id, chat_id=user_id, telegram_locale=None)


async def outbox(db: Database) -> list[TelegramOutbox]:
    async with db.snapshot() as session:
        return list(
            (await session.scalars(select(TelegramOutbox).order_by(TelegramOutbox.id))).all()
        )


async def history(db: Database, order_id: str) -> list[HistoryEntry]:
    async with db.snapshot() as session:
        rows = await session.scalars(
            select(HistoryEntry).where(HistoryEntry.order_id == order_id).order_by(HistoryEntry.id)
        )
        return list(rows.all())


async def test_a_sale_is_queued_for_every_linked_account_in_its_language(
    pipeline: Pipeline,
) -> None:
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    rows = await outbox(pipeline.db)
    assert sorted(row.chat_id for row in rows) == [11, 12]
    texts = {row.chat_id: row.payload["params"]["text"] for row in rows}
    assert order.number in texts[11]
    assert "New sale" in texts[12]
    buttons = rows[0].payload["params"]["reply_markup"]["inline_keyboard"]
    assert buttons[0][0]["text"] == "PROCESSING"
    assert buttons[0][0]["callback_data"] == f"o:processing:{order.number}"


async def test_a_redelivered_event_is_processed_once(pipeline: Pipeline) -> None:
    await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    body = pipeline.deliveries[0]
    # The same delivery again, with fresh signature headers, is already done.
    from bot.marketplace.sandbox.marketplace import sign_webhook
    from bot.marketplace.schemas import Envelope

    envelope = Envelope.model_validate_json(body)
    headers = sign_webhook(SECRET, envelope.id, body, datetime.now(UTC))
    assert await pipeline.receiver.receive(body, headers) is Outcome.DUPLICATE
    await pipeline.settle()
    assert len(await outbox(pipeline.db)) == 2


async def test_a_stored_sale_waits_while_webhooks_are_arriving_and_is_processed_after(
    pipeline: Pipeline,
) -> None:
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.sandbox.wait_idle()
    # Another delivery is being received, and cannot be stored yet.
    arriving = HeldReceiver(pipeline.db, SECRET)
    body = event("evt_arriving")
    delivery = asyncio.create_task(
        arriving.receive(body, signed(body, "evt_arriving", datetime.now(UTC), SECRET))
    )
    events = EventProcessor(
        pipeline.db,
        pipeline.marketplace,
        SellerDefaults(),
        Notices(),
        make_way=functools.partial(arriving.lull, 60.0),
    )
    processing = asyncio.create_task(events.process_pending())
    await asyncio.sleep(0.2)
    assert not processing.done()
    assert await outbox(pipeline.db) == []
    arriving.go_on.set()
    assert await delivery is Outcome.STORED
    assert await asyncio.wait_for(processing, 10) >= 1
    assert any(order.number in row.payload["params"]["text"] for row in await outbox(pipeline.db))


async def test_a_spent_budget_ends_the_transaction_before_the_next_event_and_none_is_lost(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the CHUNK events every transaction settles, the budget is checked before each
    event, not only between chunks: with none to spend, each transaction settles CHUNK events,
    and the rest of its chunk waits for the next one."""
    numbers = [(await pipeline.sandbox.create_demo_order(SELLER)).number for _ in range(4)]
    await pipeline.sandbox.wait_idle()
    monkeypatch.setattr(events_module, "QUIET_BUDGET", 0.0)
    monkeypatch.setattr(events_module, "CHUNK", 1)
    batches: list[tuple[int, int]] = []
    behind: list[int] = []
    process_batch = pipeline.events._process_batch

    async def counted(ids: list[str], held: set[str]) -> tuple[int, int]:
        behind.append(pipeline.events.backlog)
        batches.append(await process_batch(ids, held))
        return batches[-1]

    monkeypatch.setattr(pipeline.events, "_process_batch", counted)
    assert await pipeline.events.process_pending() == 4
    assert batches == [(1, 1)] * 4
    assert behind == [4, 3, 2, 1]  # what the Telegram outbox reads to know the bot is behind
    assert pipeline.events.backlog == 0
    texts = [row.payload["params"]["text"] for row in await outbox(pipeline.db)]
    assert [n for n in numbers if sum(n in text for text in texts) == 2] == numbers


async def test_a_seller_change_reaches_the_marketplace_once_even_when_its_answer_is_lost(
    pipeline: Pipeline,
) -> None:
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    flaky = LosesFirstAnswer(pipeline.marketplace)
    dispatcher = MarketplaceDispatcher(pipeline.db, flaky)  # type: ignore[arg-type]
    await pipeline.orders.change_status(
        SELLER,
        order.number,
        StatusChange(Status.PROCESSING, comment="Започнах"),
        actor_telegram_id=11,
        notice=Notice(chat_id=11, message_id=5, locale="bg"),
    )
    assert [e.sync_state for e in await history(pipeline.db, order.id)] == ["pending"]
    assert await dispatcher.deliver_due() == 0  # the answer was lost: tried again later
    async with pipeline.db.transaction() as session:
        from storage.models import MarketplaceOutbox

        for row in (await session.scalars(select(MarketplaceOutbox))).all():
            row.next_attempt_at = datetime.now(UTC)
        await session.commit()
    assert await dispatcher.deliver_due() == 1
    assert len(set(flaky.keys)) == 1
    assert len(flaky.keys) == 2
    remote = await pipeline.sandbox.status_history(order.id)
    assert [entry["status"] for entry in remote].count("PROCESSING") == 1
    assert [e.sync_state for e in await history(pipeline.db, order.id)] == ["synced"]
    edits = [r for r in await outbox(pipeline.db) if r.payload["method"] == "editMessageText"]
    assert edits[0].payload["params"]["text"].startswith("✅")


async def test_a_conflict_corrects_the_replica_and_tells_the_seller(pipeline: Pipeline) -> None:
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    pipeline.muted = True
    await pipeline.sandbox.cancel(order.id)
    await pipeline.sandbox.wait_idle()
    await pipeline.orders.change_status(
        SELLER,
        order.number,
        StatusChange(Status.PROCESSING),
        actor_telegram_id=12,
        notice=Notice(chat_id=12, message_id=7, locale="en"),
    )
    await pipeline.dispatcher.deliver_due()
    async with pipeline.db.snapshot() as session:
        replica = await session.get(Order, order.id)
    assert replica is not None
    assert replica.status == "CANCELLED"
    assert [e.sync_state for e in await history(pipeline.db, order.id)] == ["refused"]
    edits = [r for r in await outbox(pipeline.db) if r.payload["method"] == "editMessageText"]
    assert "CANCELLED" in edits[0].payload["params"]["text"]


async def test_a_cancellation_from_the_marketplace_is_told_to_the_seller(
    pipeline: Pipeline,
) -> None:
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    await pipeline.sandbox.cancel(order.id)
    await pipeline.settle()
    texts = [r.payload["params"]["text"] for r in await outbox(pipeline.db) if r.chat_id == 12]
    assert any("cancelled" in text and order.number in text for text in texts)


async def test_a_sale_whose_webhook_never_arrived_is_caught_up(pipeline: Pipeline) -> None:
    from bot.sync.reconcile import Reconciler

    pipeline.muted = True
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.sandbox.wait_idle()
    reconciler = Reconciler(pipeline.db, pipeline.marketplace, SellerDefaults(), Notices())
    assert await reconciler.catch_up() >= 1
    async with pipeline.db.snapshot() as session:
        assert await session.get(Order, order.id) is not None
    sales = [r for r in await outbox(pipeline.db) if order.number in r.payload["params"]["text"]]
    assert sorted(r.chat_id for r in sales) == [11, 12]
    await reconciler.catch_up()
    again = [r for r in await outbox(pipeline.db) if order.number in r.payload["params"]["text"]]
    assert len(again) == 2
