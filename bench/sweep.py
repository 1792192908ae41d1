"""The stalled-orders sweep at scale: 1,000,000 orders for 50,000 sellers, a tenth stalled.

    python -m bench.sweep [--orders N] [--sellers M]

Fills a fresh SQLite database (in a temporary directory) with bulk inserts, then times one full
sweep (forced, at a fixed moment) and reports its peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.table import print_table
from bot.delivery.notify import SellerDefaults
from bot.presentation.digest import render_digest
from bot.reminders.sweep import Reminders
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Order, Seller, TelegramAccount, TelegramOutbox

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
BATCH = 20_000


async def fill(db: Database, orders: int, sellers: int) -> None:
    per_seller = orders // sellers
    delivery = {"option": "econt_office", "carrier": "econt", "label": "Econt", "max_days": 3}
    items = [{"title": "Керамична чаша", "quantity": 1, "unit_price": "12.00"}]
    async with db.engine.begin() as connection:
        await connection.execute(
            insert(Seller),
            [{"id": f"s{i}", "digest_enabled": True, "created_at": NOW} for i in range(sellers)],
        )
        await connection.execute(
            insert(TelegramAccount),
            [
                {"user_id": 10_000 + i, "chat_id": 10_000 + i, "seller_id": f"s{i}", "active": True}
                for i in range(sellers)
            ],
        )
        rows = []
        for n in range(orders):
            seller = n // per_seller % sellers
            # A tenth of the sellers neglect their orders: those are the stalled tenth.
            stalled = seller % 10 == 0
            placed = NOW - timedelta(days=5)
            rows.append(
                {
                    "id": f"o{n}",
                    "number": str(100_000 + n),
                    "seller_id": f"s{seller}",
                    "status": "PROCESSING" if stalled else "SHIPPED",
                    "placed_at": placed,
                    "paid_at": placed,
                    "currency": "EUR",
                    "total": "12.00",
                    "items": items,
                    "delivery": delivery,
                    "preparation_days": 2,
                    "ship_by": NOW - timedelta(hours=6) if stalled else placed + timedelta(days=2),
                    "deliver_by": None if stalled else NOW + timedelta(days=2),
                    "shipped_at": None if stalled else placed + timedelta(days=1),
                    "buyer_alias": "Buyer",
                    "created_at": placed,
                    "updated_at": placed,
                }
            )
            if len(rows) == BATCH:
                await connection.execute(insert(Order), rows)
                rows = []
        if rows:
            await connection.execute(insert(Order), rows)


async def main(orders: int, sellers: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        db = Database(f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}")
        await upgrade(db.engine)
        started = time.perf_counter()
        await fill(db, orders, sellers)
        filled = time.perf_counter() - started
        reminders = Reminders(db, SellerDefaults(), render_digest)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        sent = await reminders.sweep(NOW, force=True)
        elapsed = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # Memory is traced in a second, untimed run on a fresh day (tracing slows Python down).
        tracemalloc.start()
        await reminders.sweep(NOW + timedelta(days=1), force=True)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        again = time.perf_counter()
        second = await reminders.sweep(NOW + timedelta(days=1), force=True)
        second_elapsed = time.perf_counter() - again
        async with db.snapshot() as session:
            queued = await session.scalar(select(func.count()).select_from(TelegramOutbox))
        await db.dispose()
    table = [
        ("orders", f"{orders:,}"),
        ("sellers", f"{sellers:,}"),
        ("fill time", f"{filled:.1f} s"),
        ("digests sent by the sweep", f"{sent:,}"),
        ("messages queued", f"{queued:,}"),
        ("sweep time (target < 5 s)", f"{elapsed:.2f} s"),
        ("sweep peak Python memory", f"{peak / 2**20:.0f} MiB"),
        ("process peak RSS before / after the sweep", f"{rss_before:.0f} / {rss_after:.0f} MiB"),
        ("second sweep the same day", f"{second} sent in {second_elapsed:.2f} s"),
    ]
    print_table(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--sellers", type=int, default=50_000)
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.sellers))
