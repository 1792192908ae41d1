"""A flash sale: thousands of sales in seconds, each on its seller's phone in seconds.

    python -m bench.flash_sale [--sales 5000] [--sellers 100] [--seconds 5] [--database-url URL]

Starts ``chopni-bot run`` as a process of its own against the loopback Bot API stand-in, which
enforces Telegram's limits (30 messages/s overall, 1/s per chat with a burst of 3, 429 beyond),
with ``--sellers`` sellers each linked to a Telegram account. ``--sales`` signed
``order.processed`` webhooks are then sent, evenly spread over ``--seconds`` (at most 10), while
sellers press the PROCESSING button of a sale they already see. Prints:

- the time from the last webhook until every sale is visible on its seller's phone (a message
  naming it, alone or in a list of new sales);
- the 429 answers, and the sales never shown or shown in more than one message;
- the event processing rate: sales processed per second from the first webhook to the last
  sale processed;
- the 95th percentile of the time from a button press made during the burst to the bot's
  answer (the next step of the PROCESSING flow, with its Skip button).

Runs on a fresh SQLite file, and on PostgreSQL too when ``--database-url`` (or
``TEST_DATABASE_URL``) names one: a fresh database is created there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.databases import on_each_database
from bench.ingestion import (
    FIRST_CHAT,
    SECRET,
    TOKEN,
    caught_up,
    exchange,
    sale_requests,
    seed,
)
from bench.table import print_columns
from bot.cli import run_loop
from storage.database import Database
from storage.models import InboxEvent
from testkit.marketplace_stub import MarketplaceStub
from testkit.ports import free_port
from testkit.processes import BotProcess, bot_env, migrate
from testkit.telegram_stub import Limits, TelegramStub

#: a sale named in a message: "New sale: order 300123", "• Order 300123 — …" (or in Bulgarian)
SALE_NUMBER = re.compile(r"(?:order|поръчка) (\d+)", re.IGNORECASE)
FIRST_NUMBER = 300_000
#: a message that shows new sales, alone or as a list (English or Bulgarian)
SALE_MESSAGE = re.compile(r"new sales?\b|нова продажба|нови продажби", re.IGNORECASE)
#: seconds to wait, after the last webhook, for every sale to be shown before giving up
PATIENCE = 120.0


async def send_spread(
    port: int, requests: list[bytes], seconds: float, senders: int
) -> tuple[float, int]:
    """Post each request at its moment of an even spread over ``seconds``, on ``senders``
    keep-alive connections; returns when the last one was answered (monotonic) and how many
    were answered with anything but 204."""
    started = time.monotonic()
    gap = seconds / len(requests)
    pending = list(enumerate(requests))
    pending.reverse()
    last, refused = started, 0

    async def sender() -> None:
        nonlocal last, refused
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while pending:
                n, request = pending.pop()
                delay = started + n * gap - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                refused += await exchange(reader, writer, request) != 204
                last = max(last, time.monotonic())
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(sender() for _ in range(senders)))
    return last, refused


class Phones:
    """What each seller's phone shows: which sale numbers appeared, in which messages, when."""

    def __init__(self, telegram: TelegramStub, chats: list[int]) -> None:
        self.telegram = telegram
        self.chats = chats

    def shown(self) -> dict[str, list[tuple[int, float]]]:
        """Sale number -> the (message id, arrival) of every new message naming it."""
        seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for chat in self.chats:
            for event in self.telegram.events(chat):
                if event.edited or not SALE_MESSAGE.search(event.text or ""):
                    continue
                for number in set(SALE_NUMBER.findall(event.text or "")):
                    seen[number].append((event.message_id, event.date_monotonic))
        return seen


async def press_during_burst(
    telegram: TelegramStub, chats: list[int], until: float, rng: random.Random
) -> list[float]:
    """Sellers press PROCESSING on a sale they see, a few times a second until ``until``;
    returns the seconds each waited for the bot's answer."""
    waits: list[float] = []
    pressed: set[int] = set()

    async def press(chat: int) -> None:
        user = telegram.user(chat, language_code="bg")
        events = telegram.events(chat)
        button = next(
            (
                (event, data)
                for event in reversed(events)
                for _, data in event.buttons
                if data and data.startswith("o:processing:")
            ),
            None,
        )
        if button is None:
            pressed.discard(chat)
            return
        seen = len(events)
        started = time.monotonic()
        await user.press_data(button[0], button[1])

        def answered() -> bool:
            return any(data == "s:skip" for event in events[seen:] for _, data in event.buttons)

        if await telegram.wait_changed(answered, 30):
            waits.append(time.monotonic() - started)

    presses = []
    while time.monotonic() < until:
        await asyncio.sleep(0.25)
        candidates = [chat for chat in chats if chat not in pressed and telegram.events(chat)]
        if candidates:
            chat = rng.choice(candidates)
            pressed.add(chat)
            presses.append(asyncio.create_task(press(chat)))
    await asyncio.gather(*presses)
    return waits


async def processing_span(db: Database) -> tuple[int, float]:
    """(events processed, seconds from the first received to the last processed)."""
    async with db.snapshot() as session:
        done, first, last = (
            await session.execute(
                select(
                    func.count(InboxEvent.id),
                    func.min(InboxEvent.received_at),
                    func.max(InboxEvent.processed_at),
                ).where(InboxEvent.processed_at.is_not(None))
            )
        ).one()
    if not done or first is None or last is None:
        return 0, 0.0
    if isinstance(first, str):  # SQLite hands back text for an aggregate of timestamps
        first, last = datetime.fromisoformat(first), datetime.fromisoformat(last)
    return int(done), (last - first).total_seconds()


async def run(database_url: str, sales: int, sellers: int, seconds: float) -> dict[str, str]:
    await migrate(database_url)
    await seed(database_url, sellers)
    requests = sale_requests(sales, sellers)
    chats = [FIRST_CHAT + i for i in range(sellers)]
    expected = {str(FIRST_NUMBER + n) for n in range(sales)}
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        async with (
            TelegramStub(token=TOKEN, limits=Limits(30, 1.0, 3)) as telegram,
            MarketplaceStub(webhook_secret=SECRET, verify_delay=3600) as marketplace,
        ):
            env = bot_env(
                token=TOKEN,
                telegram_api_url=telegram.api_root,
                database_url=database_url,
                marketplace_url=marketplace.base_url,
                webhook_secret=SECRET,
                admin_token="bench-admin",
                lease_seconds=60,
            )
            bot = BotProcess(env, Path(directory), port)
            await bot.start(timeout=60)
            db = Database(database_url)
            phones = Phones(telegram, chats)
            try:
                await caught_up(db)
                rng = random.Random(20261203)
                burst_ends = time.monotonic() + seconds
                pressing = asyncio.create_task(press_during_burst(telegram, chats, burst_ends, rng))
                last_webhook, refused = await send_spread(port, requests, seconds, senders=50)
                waits = await pressing
                await telegram.wait_changed(lambda: set(phones.shown()) >= expected, PATIENCE)
                shown = phones.shown()
                all_shown = max((min(t for _, t in seen) for seen in shown.values()), default=0)
                processed, span = await processing_span(db)
            finally:
                await db.dispose()
                await bot.stop()
            too_many = telegram.stats.too_many_requests
    lost = expected - set(shown)
    doubled = [n for n in expected & set(shown) if len({m for m, _ in shown[n]}) > 1]
    waits.sort()
    p95 = waits[max(0, int(len(waits) * 0.95) - 1)] if waits else float("nan")
    return {
        "sales / sellers": f"{sales:,} / {sellers}",
        "webhooks sent over": f"{seconds:.1f} s",
        "webhooks answered other than 204 (0)": str(refused),
        "last webhook -> every sale shown (<= 15 s)": (
            f"{all_shown - last_webhook:.1f} s" if not lost else "never (sales lost)"
        ),
        "429 answers (0)": str(too_many),
        "lost sales (0)": str(len(lost)),
        "sales shown twice (0)": str(len(doubled)),
        "messages sent": str(telegram.stats.sent),
        "processing rate (>= 500/s)": f"{processed / span:.0f} events/s" if span else "n/a",
        "button presses during the burst": str(len(waits)),
        "p95 answer to a press (<= 1 s)": f"{p95:.2f} s",
    }


async def main(sales: int, sellers: int, seconds: float, database_url: str | None) -> None:
    results = await on_each_database(lambda url: run(url, sales, sellers, seconds), database_url)
    print(
        "A flash sale through `chopni-bot run` and a Bot API stand-in enforcing 30 msg/s "
        "overall and 1/s per chat"
    )
    print_columns(results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sales", type=int, default=5000)
    parser.add_argument("--sellers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    run_loop(main(args.sales, args.sellers, min(args.seconds, 10.0), args.database_url))
