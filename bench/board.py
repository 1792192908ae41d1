"""The order board's budgets: the page's weight, and ``/app/api/orders`` for a busy seller.

    python -m bench.board [--orders 200000] [--open 500] [--requests 300] [--database-url URL]

Weight: the page as Telegram loads it (the HTML shell, its CSS and its JS) against 150 KB, and
the board fragment a seller with 30 open orders gets. Speed: a fresh database (SQLite in a
temporary directory, or an empty PostgreSQL database with ``--database-url``) with ``--orders``
orders over 10,000 sellers, one of whom has ``--open`` open orders (and buyers waiting on some);
then ``--requests`` signed ``GET /app/api/orders`` calls through the bot's whole HTTP app
(initData check, account lookup, the query, JSON), one after another, against 50 ms at p95.
The CPU time per request is printed too: on a shared machine the wall clock also measures the
neighbours (the load average is printed with it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.table import print_table
from bot.app import Runtime
from bot.settings import load_settings
from storage.migrate import upgrade
from testkit.board_orders import add_orders, add_sellers, buyer_wrote, link, order_row
from testkit.databases import fresh_postgres
from testkit.webapp import init_data

TOKEN = "123456:BENCH-board-token"
BUSY, OWNER = "busy-shop", 7001
SELLERS = 10_000
PAGE_BUDGET = 150 * 1024
P95_BUDGET_MS = 50.0
OPEN = ("PROCESSED", "PROCESSING", "SHIPPED")
CLOSED = ("COMPLETE", "REFUNDED", "CANCELLED")


def rows(total: int, open_orders: int, now: datetime) -> Iterator[dict[str, Any]]:
    """``open_orders`` open orders of the busy seller, the rest spread over the others."""
    for n in range(total):
        number = str(1_000_000 + n)
        if n < open_orders:
            status = OPEN[n % 3]
            ship_by = now + timedelta(hours=(n % 96) - 24)
            yield order_row(BUSY, number, status=status, ship_by=ship_by, buyer=f"buyer-{n % 97}")
        else:
            status = (OPEN + CLOSED * 3)[n % 12]
            ship_by = now - timedelta(days=n % 90)
            yield order_row(f"s{n % SELLERS}", number, status=status, ship_by=ship_by)


async def weight(client: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[str, str]]:
    sizes = {
        path: len((await client.get(path)).content)
        for path in ("/app/", "/app/static/board.css", "/app/static/board.js")
    }
    page = sum(sizes.values())
    fragment = len((await client.get("/app/view/board?q=1000000", headers=headers)).content)
    verdict = "within" if page <= PAGE_BUDGET else "OVER"
    return [
        *((f"page: {path}", f"{size:,} B") for path, size in sizes.items()),
        ("page: HTML + CSS + JS", f"{page / 1024:.1f} KB ({verdict} the 150 KB budget)"),
        ("board fragment, one order", f"{fragment:,} B"),
    ]


async def speed(
    client: httpx.AsyncClient, headers: dict[str, str], requests: int
) -> list[tuple[str, str]]:
    first = await client.get("/app/api/orders", headers=headers)
    assert first.status_code == 200, first.text
    listed = len(first.json()["orders"])
    timings = []
    cpu = time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get("/app/api/orders", headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    cpu_ms = (time.process_time() - cpu) * 1000 / requests
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    verdict = "within" if p95 <= P95_BUDGET_MS else "OVER"
    fragment = await client.get("/app/view/board", headers=headers)
    return [
        ("orders listed per answer", f"{listed}"),
        ("answer size (JSON)", f"{len(first.content) / 1024:.1f} KB"),
        ("board fragment, all open orders", f"{len(fragment.content) / 1024:.1f} KB"),
        ("/app/api/orders p50", f"{statistics.median(timings):.1f} ms"),
        ("/app/api/orders p95", f"{p95:.1f} ms ({verdict} the 50 ms budget)"),
        ("/app/api/orders max", f"{timings[-1]:.1f} ms"),
        ("CPU per request (all threads)", f"{cpu_ms:.1f} ms"),
        ("load average while measured", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"),
    ]


async def run(database_url: str, orders: int, open_orders: int, requests: int) -> None:
    settings = load_settings(
        bot_token=TOKEN, database_url=database_url, telegram_api_url="http://127.0.0.1:9"
    )
    runtime = Runtime(settings, token=TOKEN)
    try:
        await upgrade(runtime.db.engine)
        now = datetime.now(UTC)
        started = time.perf_counter()
        await add_sellers(runtime.db, BUSY, *(f"s{i}" for i in range(SELLERS)))
        await link(runtime.db, OWNER, BUSY, locale="bg")
        await add_orders(runtime.db, rows(orders, open_orders, now), batch=10_000)
        for n in range(0, open_orders, 10):
            await buyer_wrote(runtime.db, BUSY, str(1_000_000 + n), "Кога?", now)
        filled = time.perf_counter() - started
        headers = {"Authorization": "tma " + init_data(TOKEN, OWNER, auth_date=now)}
        transport = httpx.ASGITransport(app=runtime.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            table = [
                ("database", runtime.db.engine.dialect.name),
                ("orders in the database", f"{orders:,} ({SELLERS:,} sellers)"),
                ("open orders of the seller", f"{open_orders}"),
                ("filled in", f"{filled:.1f} s"),
                *await weight(client, headers),
                *await speed(client, headers, requests),
            ]
        print_table(table, rule=True)
    finally:
        await runtime.aclose()


async def main(args: argparse.Namespace) -> None:
    if args.database_url:
        async with fresh_postgres(args.database_url, "chopni_bench_board") as url:
            await run(url, args.orders, args.open, args.requests)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'board.db'}"
        await run(url, args.orders, args.open, args.requests)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--open", type=int, default=500)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    asyncio.run(main(parser.parse_args()))
