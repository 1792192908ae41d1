"""The stalled-orders sweep against a real database, with time under control (which orders a
digest lists, and sweeps over many sellers: test_digest_ranking.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.delivery.notify import SALE_NOTICE, SellerDefaults, sale_summary
from bot.delivery.telegram_outbox import enqueue
from bot.presentation.digest import render_digest
from bot.reminders.sweep import Reminders
from bot.team.linking import Linker
from storage.database import Database
from storage.models import Order, Seller, TelegramOutbox

# 07:30 UTC is 09:30 in Sofia in November (UTC+2): past the default 9:00 reminder hour.
MORNING = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)


def sweeper(db: Database) -> Reminders:
    """The sweep as the bot builds it, with the default seller settings."""
    return Reminders(db, SellerDefaults(), render_digest)


def stalled_order(
    order_id: str,
    seller_id: str,
    number: str,
    *,
    ship_by: datetime,
    status: str = "PROCESSING",
    placed_at: datetime | None = None,
    price: str = "10.00",
    title: str = "Чаша",
    buyer: str = "Buyer 1",
) -> Order:
    """An order of one item for the sweep to find, placed three days before ``ship_by`` unless
    ``placed_at`` says otherwise."""
    placed = placed_at or ship_by - timedelta(days=3)
    return Order(
        id=order_id,
        number=number,
        seller_id=seller_id,
        status=status,
        placed_at=placed,
        paid_at=placed,
        currency="EUR",
        total=price,
        items=[{"title": title, "quantity": 1, "unit_price": price}],
        delivery={"option": "econt_office", "carrier": "econt", "label": "Econt", "max_days": 3},
        ship_by=ship_by,
        buyer_alias=buyer,
        created_at=MORNING,
        updated_at=MORNING,
    )


async def seller_with_order(
    db: Database, seller_id: str, *, ship_by: datetime, status: str = "PROCESSING", user_id: int = 1
) -> None:
    await Linker(db).link_directly(
        seller_id, user_id=user_id, chat_id=user_id, telegram_locale="en"
    )
    async with db.transaction() as session:
        number = f"1{user_id:05d}"
        session.add(
            stalled_order(f"ord-{seller_id}", seller_id, number, ship_by=ship_by, status=status)
        )
        await session.commit()


async def digests(db: Database) -> list[TelegramOutbox]:
    async with db.snapshot() as session:
        rows = await session.scalars(select(TelegramOutbox).order_by(TelegramOutbox.id))
        return [r for r in rows.all() if (r.dedupe_key or "").startswith("digest:")]


async def test_an_order_past_its_ship_by_is_in_the_digest_with_the_shipped_button(
    db: Database,
) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    assert await sweeper(db).sweep(MORNING) == 1
    [digest] = await digests(db)
    text = digest.payload["params"]["text"]
    assert "100001" in text
    assert "ship-by passed" in text
    buttons = [
        b for row in digest.payload["params"]["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert buttons[0]["callback_data"] == "o:shipped:100001"
    assert buttons[1]["callback_data"] == "o:snooze:100001"


async def test_a_second_sweep_the_same_local_day_sends_nothing(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    reminders = sweeper(db)
    assert await reminders.sweep(MORNING) == 1
    assert await reminders.sweep(MORNING + timedelta(hours=3)) == 0
    assert await reminders.sweep(MORNING, force=True) == 0
    assert len(await digests(db)) == 1


async def waiting_sale(db: Database, chat_id: int) -> int:
    """A new sale's notification queued for the chat, not sent yet; returns its row id."""
    async with db.transaction() as session:
        row = enqueue(
            session,
            chat_id,
            "sendMessage",
            {"chat_id": chat_id, "text": "New sale: order 100777"},
            dedupe_key=f"sale:ord-new:{chat_id}",
            coalesce=(SALE_NOTICE, sale_summary("100777", "10.00", "EUR", None)),
        )
        await session.commit()
        return row.id


async def test_the_digest_waits_until_the_new_sales_waiting_for_the_chat_are_out(
    db: Database,
) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    row_id = await waiting_sale(db, chat_id=1)
    reminders = sweeper(db)
    assert await reminders.sweep(MORNING) == 0  # a flash sale is going out: later
    assert await digests(db) == []
    async with db.transaction() as session:
        row = await session.get(TelegramOutbox, row_id)
        assert row is not None
        row.sent_at = MORNING
        await session.commit()
    assert await reminders.sweep(MORNING + timedelta(minutes=5)) == 1
    assert len(await digests(db)) == 1


async def test_an_operators_run_sends_the_digest_even_with_sales_waiting(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    await waiting_sale(db, chat_id=1)
    assert await sweeper(db).sweep(MORNING, force=True) == 1


async def test_the_next_local_day_brings_a_new_digest(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    reminders = sweeper(db)
    assert await reminders.sweep(MORNING) == 1
    assert await reminders.sweep(MORNING + timedelta(days=1)) == 1


async def test_nothing_is_sent_before_the_sellers_local_hour(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    early = MORNING - timedelta(hours=1)  # 08:30 in Sofia
    assert await sweeper(db).sweep(early) == 0
    assert await sweeper(db).sweep(early, force=True) == 1


async def test_a_seller_in_another_zone_gets_it_at_their_own_hour(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    async with db.transaction() as session:
        seller = await session.get(Seller, "s1")
        assert seller is not None
        seller.timezone = "America/New_York"  # 02:30 there
        await session.commit()
    assert await sweeper(db).sweep(MORNING) == 0
    assert await sweeper(db).sweep(MORNING + timedelta(hours=7)) == 1


async def test_a_seller_with_the_digest_off_gets_nothing(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    async with db.transaction() as session:
        seller = await session.get(Seller, "s1")
        assert seller is not None
        seller.digest_enabled = False
        await session.commit()
    assert await sweeper(db).sweep(MORNING, force=True) == 0


async def test_nothing_stalled_means_no_message(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING + timedelta(days=3))
    async with db.transaction() as session:
        order = await session.get(Order, "ord-s1")
        assert order is not None
        order.paid_at = MORNING - timedelta(hours=2)
        await session.commit()
    assert await sweeper(db).sweep(MORNING) == 0
    assert await digests(db) == []


async def test_a_snoozed_order_is_left_out_until_it_wakes(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    async with db.transaction() as session:
        order = await session.get(Order, "ord-s1")
        assert order is not None
        order.snoozed_until = MORNING + timedelta(days=1)
        await session.commit()
    assert await sweeper(db).sweep(MORNING) == 0
    assert await sweeper(db).sweep(MORNING + timedelta(days=1)) == 1


async def test_two_sweeps_at_once_send_one_digest(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    results = await asyncio.gather(
        sweeper(db).sweep(MORNING),
        sweeper(db).sweep(MORNING),
    )
    assert sorted(results) == [0, 1]
    assert len(await digests(db)) == 1
