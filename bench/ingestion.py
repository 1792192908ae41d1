"""Signed sale webhooks from many concurrent senders into the running bot, end to end.

    python -m bench.ingestion [--events 5000] [--senders 50] [--sellers 100] [--database-url URL]

Starts ``chopni-bot run`` as a process of its own, as in production, against the loopback Bot
API stand-in and a loopback marketplace, with ``--sellers`` sellers each linked to a Telegram
account. Concurrent keep-alive senders then post Standard Webhooks-signed ``order.processed``
events carrying whole orders, as the marketplace sends a sale; each 204 means the event is
durably stored. The bot processes the events while they arrive (each queues the seller's sale
notification), so the intake figures are those of a bot doing all its work.

Runs on a fresh SQLite file, and on PostgreSQL too when ``--database-url`` (or
``TEST_DATABASE_URL``) names one: a fresh database is created there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.databases import on_each_database
from bench.percentiles import percentile
from bench.table import print_columns
from bot.cli import run_loop
from bot.marketplace.sandbox.data import demo_order
from bot.marketplace.sandbox.marketplace import sign_webhook
from storage.database import Database
from storage.models import InboxEvent, Seller, TelegramAccount, TelegramOutbox
from testkit.marketplace_stub import MarketplaceStub, new_webhook_secret
from testkit.ports import free_port
from testkit.processes import BotProcess, migrate, stub_env
from testkit.telegram_stub import TelegramStub

TOKEN = "123456:BENCH"
SECRET = new_webhook_secret()
FIRST_CHAT = 50_000
#: how long the bot may take to process what it stored before the run counts as failed
DRAIN_TIMEOUT = 600.0


def sale_requests(events: int, sellers: int) -> list[bytes]:
    """Whole HTTP/1.1 requests, each a freshly signed ``order.processed`` for a new sale."""
    rng = random.Random(20261202)
    now = datetime.now(UTC)
    requests = []
    for n in range(events):
        event_id = f"evt_{uuid.uuid4().hex}"
        order = demo_order(
            f"bench-{n % sellers}", order_id=f"ord_{n}", number=str(300_000 + n), now=now, rng=rng
        )
        body = json.dumps(
            {
                "id": event_id,
                "type": "order.processed",
                "created_at": now.isoformat(),
                "data": {"order": order},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        headers = sign_webhook(SECRET, event_id, body, now)
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        requests.append(
            (
                f"POST /webhooks/chopni HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
                f"content-length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
    return requests


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one whole HTTP/1.1 request on a keep-alive connection, read its whole answer;
    returns the answer's status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    if length:
        await reader.readexactly(length)
    return int(head.split(b" ")[1])


async def send_all(
    port: int, requests: list[bytes], senders: int
) -> tuple[float, list[float], Counter[int]]:
    """Post every request over ``senders`` keep-alive connections, one request in flight on
    each: a load generator that costs little CPU, so the figures measure the bot. Returns the
    time from the first request to the last answer, each request's latency and the statuses."""
    pending = list(reversed(requests))
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(senders)]

    async def sender(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while pending:
            request = pending.pop()
            started = time.perf_counter()
            status = await exchange(reader, writer, request)
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
        writer.close()
        await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(sender(reader, writer) for reader, writer in connections))
    return time.perf_counter() - started, latencies, statuses


async def seed(database_url: str, sellers: int) -> None:
    """Sellers, each with one linked Telegram account, so every sale queues one notification."""
    db = Database(database_url)
    try:
        async with db.transaction() as session:
            now = datetime.now(UTC)
            await session.execute(
                insert(Seller),
                [{"id": f"bench-{i}", "created_at": now} for i in range(sellers)],
            )
            await session.execute(
                insert(TelegramAccount),
                [
                    {
                        "user_id": FIRST_CHAT + i,
                        "chat_id": FIRST_CHAT + i,
                        "seller_id": f"bench-{i}",
                        "active": True,
                    }
                    for i in range(sellers)
                ],
            )
            await session.commit()
    finally:
        await db.dispose()


async def caught_up(db: Database, timeout: float = 120.0) -> None:
    """Wait for the start-up catch-up with the marketplace to have visited every seller."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        async with db.snapshot() as session:
            behind = await session.scalar(
                select(func.count()).where(Seller.reconciled_at.is_(None))
            )
        if not behind:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the bot did not catch up with the marketplace")


async def drained(db: Database) -> tuple[int, int]:
    """(events not processed yet, sale notifications queued)."""
    async with db.snapshot() as session:
        pending = await session.scalar(
            select(func.count()).where(InboxEvent.processed_at.is_(None))
        )
        # Only sales: once the sellers' reminder hour has come, digests are queued too.
        queued = await session.scalar(
            select(func.count()).where(TelegramOutbox.dedupe_key.startswith("sale:"))
        )
    return int(pending or 0), int(queued or 0)


async def run(database_url: str, events: int, senders: int, sellers: int) -> dict[str, float]:
    await migrate(database_url)
    await seed(database_url, sellers)
    requests = sale_requests(events, sellers)
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        async with (
            TelegramStub(token=TOKEN) as telegram,
            MarketplaceStub(webhook_secret=SECRET, verify_delay=3600) as marketplace,
        ):
            env = stub_env(
                telegram, marketplace, database_url, admin_token="bench-admin", lease_seconds=30
            )
            bot = BotProcess(env, Path(directory), port)
            await bot.start(timeout=60)
            db = Database(database_url)
            try:
                await caught_up(db)
                elapsed, latencies, statuses = await send_all(port, requests, senders)
                sent_at = time.perf_counter()
                pending, queued = await drained(db)
                while pending and time.perf_counter() - sent_at < DRAIN_TIMEOUT:
                    await asyncio.sleep(0.25)
                    pending, queued = await drained(db)
                processed_after = time.perf_counter() - sent_at
            finally:
                await db.dispose()
                await bot.stop()
    latencies.sort()
    return {
        "events/s": events / elapsed,
        "p50 ms": statistics.median(latencies) * 1000,
        "p99 ms": percentile(latencies, 0.99) * 1000,
        "max ms": latencies[-1] * 1000,
        "stored (204)": statuses[204],
        "other answers": sum(v for k, v in statuses.items() if k != 204),
        "left unprocessed": pending,
        "all processed +s": processed_after,
        "sales queued": queued,
    }


async def main(events: int, senders: int, sellers: int, database_url: str | None) -> None:
    results = await on_each_database(lambda url: run(url, events, senders, sellers), database_url)
    print(
        f"{events:,} signed sale webhooks for {sellers} sellers from {senders} concurrent senders "
        "into `chopni-bot run`\n(targets: >= 1,000 events/s, p99 < 50 ms; none lost: every sale "
        "processed and its notification queued)"
    )
    print_columns(results, column=14)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--sellers", type=int, default=100)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    # The senders run on the loop the bot runs on, so they cost the machine as little as it can.
    run_loop(main(args.events, args.senders, args.sellers, args.database_url))
