"""Which stalled orders a digest lists (the domain's most urgent, in its order) and a sweep
over more sellers than one batch, against a real database."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert

from bot.domain.deadlines import OrderClock, stall_reasons, urgency
from bot.domain.lifecycle import Status
from bot.reminders.digest import MAX_LISTED
from bot.team.linking import Linker
from storage.database import Database
from storage.models import Order, Seller, TelegramAccount
from tests.integration.test_reminders import (
    MORNING,
    digests,
    seller_with_order,
    stalled_order,
    sweeper,
)


async def test_the_digest_lists_the_most_urgent_first(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=MORNING - timedelta(hours=5))
    soon = stalled_order(
        "ord-soon",
        "s1",
        "200002",
        ship_by=MORNING + timedelta(hours=10),
        placed_at=MORNING - timedelta(hours=3),
        price="5.00",
        title="Лъжица",
        buyer="Buyer 2",
    )
    async with db.transaction() as session:
        session.add(soon)
        await session.commit()
    await sweeper(db).sweep(MORNING)
    text = (await digests(db))[0].payload["params"]["text"]
    assert text.index("100001") < text.index("200002")


def random_clock(rng: random.Random, n: int) -> OrderClock:
    """An order somewhere in its life, with deadlines scattered around MORNING."""

    def moment(hours: int) -> datetime:
        return MORNING + timedelta(hours=rng.randint(-hours, hours), seconds=n)

    def maybe(hours: int, chance: float = 0.5) -> datetime | None:
        return moment(hours) if rng.random() < chance else None

    placed = MORNING - timedelta(hours=rng.randint(1, 200), seconds=n)
    requested = maybe(72, 0.3)
    return OrderClock(
        status=rng.choice([Status.PROCESSED, Status.PROCESSING, Status.SHIPPED, Status.COMPLETE]),
        placed_at=placed,
        paid_at=placed + timedelta(minutes=rng.randint(0, 90)) if rng.random() < 0.7 else None,
        ship_by=maybe(48),
        deliver_by=maybe(48),
        completed_at=maybe(150),
        delivered_at=maybe(100, 0.3),
        return_requested_at=requested,
        return_answered_at=maybe(72) if requested else None,
        snoozed_until=maybe(24, 0.2),
    )


async def test_the_listed_orders_are_the_domains_most_urgent_ten(db: Database) -> None:
    """The query ranks in SQL; it must pick and order exactly as the domain's urgency() does."""
    clocks: dict[int, dict[str, OrderClock]] = {}
    for chat_id in range(100, 106):
        await Linker(db).link_directly(
            f"s{chat_id}", user_id=chat_id, chat_id=chat_id, telegram_locale="en"
        )
        rng = random.Random(chat_id)
        clocks[chat_id] = {f"{chat_id}{n:04d}": random_clock(rng, n) for n in range(60)}
        async with db.transaction() as session:
            for number, clock in clocks[chat_id].items():
                session.add(
                    Order(
                        id=f"o-{number}",
                        number=number,
                        seller_id=f"s{chat_id}",
                        status=clock.status.value,
                        placed_at=clock.placed_at,
                        paid_at=clock.paid_at,
                        ship_by=clock.ship_by,
                        deliver_by=clock.deliver_by,
                        completed_at=clock.completed_at,
                        delivered_at=clock.delivered_at,
                        return_requested_at=clock.return_requested_at,
                        return_answered_at=clock.return_answered_at,
                        snoozed_until=clock.snoozed_until,
                        currency="EUR",
                        total="1.00",
                        items=[],
                        delivery={"option": "econt_office", "max_days": 3},
                        buyer_alias="Buyer",
                        created_at=MORNING,
                        updated_at=MORNING,
                    )
                )
            await session.commit()

    assert await sweeper(db).sweep(MORNING) == len(clocks)

    sent = {row.chat_id: row.payload["params"] for row in await digests(db)}
    for chat_id, orders in clocks.items():
        stalled = sorted(
            (urgency(clock, reasons, MORNING), number)
            for number, clock in orders.items()
            if (reasons := stall_reasons(clock, MORNING))
        )
        assert len(stalled) > MAX_LISTED
        keyboard = sent[chat_id]["reply_markup"]["inline_keyboard"]
        listed = [row[0]["text"].split(" · ")[1] for row in keyboard]
        assert listed == [number for _, number in stalled[:MAX_LISTED]]
        assert f"need you today: {len(stalled)}" in sent[chat_id]["text"]
        assert f"and {len(stalled) - MAX_LISTED} more" in sent[chat_id]["text"]


async def test_a_sweep_over_more_sellers_than_one_batch_sends_each_one_digest(
    db: Database,
) -> None:
    sellers = 1_100  # more than two batches of 500
    ship_by = MORNING - timedelta(hours=5)
    order = {
        "status": "PROCESSING",
        "placed_at": ship_by - timedelta(days=3),
        "paid_at": ship_by - timedelta(days=3),
        "currency": "EUR",
        "total": "10.00",
        "items": [{"title": "Чаша", "quantity": 1, "unit_price": "10.00"}],
        "delivery": {"option": "econt_office", "carrier": "econt", "label": "E", "max_days": 3},
        "ship_by": ship_by,
        "buyer_alias": "Buyer",
        "created_at": MORNING,
        "updated_at": MORNING,
    }
    async with db.transaction() as session:
        await session.execute(
            insert(Seller), [{"id": f"bulk-{n:04d}", "created_at": MORNING} for n in range(sellers)]
        )
        await session.execute(
            insert(TelegramAccount),
            [
                {"user_id": 20_000 + n, "chat_id": 20_000 + n, "seller_id": f"bulk-{n:04d}"}
                for n in range(sellers)
            ],
        )
        await session.execute(
            insert(Order),
            [
                {**order, "id": f"ord-bulk-{n}", "number": str(500_000 + n), "seller_id": seller}
                for n in range(sellers)
                for seller in [f"bulk-{n:04d}"]
            ],
        )
        await session.commit()
    assert await sweeper(db).sweep(MORNING) == sellers
    queued = await digests(db)
    assert sorted(row.chat_id for row in queued) == [20_000 + n for n in range(sellers)]
    assert all(
        str(500_000 + row.chat_id - 20_000) in row.payload["params"]["text"] for row in queued
    )
    assert await sweeper(db).sweep(MORNING) == 0
