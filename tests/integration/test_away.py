"""Away mode in the event processing on a real database: one away reply per order per day,
queued for the marketplace in the event's transaction; the digest waits; it ends on its date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.delivery.notify import SALE_NOTICE, SellerDefaults
from bot.presentation import coalesced
from bot.presentation.away import AwayTexts
from bot.presentation.notices import Notices
from bot.relay.files import FileChecker
from bot.relay.replies import Replies
from bot.sync.events import EventProcessor
from bot.sync.marketplace_outbox import MarketplaceDispatcher
from bot.team.away import AwayMode
from storage.database import Database
from storage.models import MarketplaceOutbox, Seller, TelegramOutbox
from testkit.clock import Clock
from tests.integration.test_order_pipeline import SELLER, Pipeline, pipeline  # noqa: F401

OWNER = 11


async def away_rows(db: Database) -> list[MarketplaceOutbox]:
    async with db.snapshot() as session:
        rows = await session.scalars(
            select(MarketplaceOutbox).where(MarketplaceOutbox.idempotency_key.like("away-%"))
        )
        return list(rows.all())


async def _no_files(file_id: str) -> bytes:
    raise AssertionError("an away reply has no files")


def mode(p: Pipeline, clock: Clock, files: FileChecker) -> AwayMode:
    """Away mode on the pipeline's events, its replies delivered as the bot delivers them."""
    away = AwayMode(p.db, SellerDefaults(), AwayTexts(), clock=clock)
    p.events = EventProcessor(
        p.db, p.marketplace, SellerDefaults(), Notices(), on_buyer_message=away.on_buyer_message
    )
    replies = Replies(p.db, p.marketplace, _no_files, files)
    p.dispatcher = MarketplaceDispatcher(p.db, p.marketplace, kinds={"message": replies.deliver})
    return away


async def test_each_order_gets_one_away_reply_a_day(
    pipeline: Pipeline,  # noqa: F811
    files: FileChecker,
) -> None:
    clock = Clock(datetime(2026, 12, 3, 10, tzinfo=UTC))
    away = mode(pipeline, clock, files)
    await away.start(SELLER, "2026-12-07", "Back on Monday", actor_telegram_id=OWNER)
    first = await pipeline.sandbox.create_demo_order(SELLER)
    second = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    for text in ("Hi", "Hello?", "Anyone?"):
        await pipeline.sandbox.buyer_writes(first.id, text)
    await pipeline.sandbox.buyer_writes(second.id, "Hi")
    await pipeline.settle()
    rows = await away_rows(pipeline.db)
    assert sorted(row.order_id for row in rows) == sorted([first.id, second.id])
    assert {row.payload["text"] for row in rows} == {"Back on Monday"}
    assert all(row.delivered_at is not None for row in rows)

    clock.advance(timedelta(days=1).total_seconds())
    await pipeline.sandbox.buyer_writes(first.id, "Next day")
    await pipeline.settle()
    assert len(await away_rows(pipeline.db)) == 3


async def test_away_mode_ends_on_its_date_and_tells_the_seller_once(
    pipeline: Pipeline,  # noqa: F811
    files: FileChecker,
) -> None:
    clock = Clock(datetime(2026, 12, 3, 10, tzinfo=UTC))
    away = mode(pipeline, clock, files)
    await away.start(SELLER, "05.12.2026", "Back on Saturday", actor_telegram_id=OWNER)
    clock.advance(timedelta(days=1).total_seconds())
    assert await away.expire() == 0
    assert await away.current(SELLER) is not None
    clock.now = datetime(2026, 12, 4, 22, 30, tzinfo=UTC)  # 00:30 on the 5th in Sofia
    assert await away.expire() == 1
    assert await away.expire() == 0
    async with pipeline.db.snapshot() as session:
        shop = await session.get(Seller, SELLER)
        told = (await session.scalars(select(TelegramOutbox))).all()
    assert shop is not None and (shop.away_until, shop.away_message) == (None, None)
    ended = [row for row in told if "05.12.2026" in row.payload["params"]["text"]]
    assert len(ended) == 2  # both linked accounts
    first = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    await pipeline.sandbox.buyer_writes(first.id, "Hi")
    await pipeline.settle()
    assert await away_rows(pipeline.db) == []


async def test_sales_that_arrive_while_away_keep_the_away_line_when_listed_together(
    pipeline: Pipeline,  # noqa: F811
    files: FileChecker,
) -> None:
    clock = Clock(datetime(2026, 12, 3, 10, tzinfo=UTC))
    away = mode(pipeline, clock, files)
    pipeline.events = EventProcessor(
        pipeline.db, pipeline.marketplace, SellerDefaults(), Notices(), clock=clock
    )
    await away.start(SELLER, "2026-12-07", "Back on Monday", actor_telegram_id=OWNER)
    numbers = [(await pipeline.sandbox.create_demo_order(SELLER)).number for _ in range(3)]
    await pipeline.settle()
    async with pipeline.db.snapshot() as session:
        waiting = (
            await session.scalars(
                select(TelegramOutbox)
                .where(TelegramOutbox.chat_id == 12, TelegramOutbox.coalesce_kind == SALE_NOTICE)
                .order_by(TelegramOutbox.id)
            )
        ).all()
    params, held = coalesced.combine(SALE_NOTICE, 12, [row.payload["coalesce"] for row in waiting])
    assert held == 3
    first, *rest = params["text"].split("\n")
    assert first == "🌴 While you are away (back on 07.12.2026): buyers get your away message."
    assert [n for n in numbers if any(n in line for line in rest)] == numbers
    assert "While you are away" not in "\n".join(rest)  # said once, above the list
