"""kill -9 in the middle of a burst, several times: nothing lost, nothing done twice.

The bot runs as a real process against a marketplace reached over HTTP. Each round, sales pour
in as signed webhooks while the seller moves earlier orders to PROCESSING, and the process is
killed with SIGKILL at a random moment (seeded), then started again on the same database.
Afterwards every sale has reached the seller (a message in flight at a kill may arrive twice,
nothing more), and every change the seller saw saved reached the marketplace exactly once, under
one Idempotency-Key however often it was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import func, select

from storage.database import Database
from storage.migrate import upgrade
from storage.models import InboxEvent, MarketplaceOutbox, TelegramOutbox
from tests.e2e.conftest import ADMIN_TOKEN, free_port
from tests.support.marketplace_stub import MarketplaceStub, new_webhook_secret
from tests.support.processes import BotProcess
from tests.support.telegram_stub import StubUser, TelegramStub

TOKEN = "123456:CRASH-test-token"
SELLER = "shop-crash"
ROUNDS = 3
SALES_PER_ROUND = 8
SECRET = new_webhook_secret()


async def link(bot: BotProcess, telegram: TelegramStub) -> StubUser:
    async with httpx.AsyncClient(base_url=bot.base_url) as client:
        answer = await client.post(
            f"/admin/sellers/{SELLER}/link-codes",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
    user = telegram.user(7300, language_code="en")
    await user.send(f"/start {answer.json()['code']}")
    await user.wait_for(lambda m: SELLER in (m.text or ""))
    return user


async def start_processing(seller: StubUser, number: str) -> None:
    """PROCESSING by command, as a seller would; returns once the bot says it is saved."""
    await seller.send(f"/processing {number}")
    ask = await seller.wait_for(lambda m: "Skip" in m.button_texts, timeout=5)
    await seller.press(ask, "Skip")
    confirm = await seller.wait_for(lambda m: "Change Order Status" in m.button_texts, timeout=5)
    await seller.press(confirm, "Change Order Status")
    await seller.wait_for(
        lambda m: (m.text or "").startswith(("⏳", "✅")) and number in (m.text or ""), timeout=5
    )


def sales_of(seller: StubUser, numbers: list[str]) -> Counter[str]:
    """How many sale notifications the seller has received for each of ``numbers``."""
    return Counter(
        number
        for m in seller.messages
        if "New sale" in (m.text or "")
        for number in numbers
        if f"order {number}" in (m.text or "")
    )


async def migrate(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()


async def pending(database_url: str) -> int:
    db = Database(database_url)
    try:
        async with db.snapshot() as session:
            total = 0
            for query in (
                select(func.count()).where(InboxEvent.processed_at.is_(None)),
                select(func.count()).where(
                    MarketplaceOutbox.delivered_at.is_(None), MarketplaceOutbox.failed_at.is_(None)
                ),
                select(func.count()).where(
                    TelegramOutbox.sent_at.is_(None), TelegramOutbox.failed_at.is_(None)
                ),
            ):
                total += int(await session.scalar(query) or 0)
            return total
    finally:
        await db.dispose()


async def test_kill_9_during_bursts_loses_nothing_and_changes_the_marketplace_once(
    tmp_path: Path, database_url: str
) -> None:
    rng = random.Random(20261122)
    port = free_port()
    async with (
        TelegramStub(token=TOKEN, latency=0.02) as telegram,
        MarketplaceStub(
            webhook_secret=SECRET,
            webhook_url=f"http://127.0.0.1:{port}/webhooks/chopni",
            verify_delay=3600,
        ) as marketplace,
    ):
        marketplace.latency = 0.1  # changes are in flight long enough to be cut off
        bot = BotProcess(
            {
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": telegram.api_root,
                "DATABASE_URL": database_url,
                "CHOPNI_API_URL": marketplace.base_url,
                "CHOPNI_WEBHOOK_SECRET": SECRET,
                "ADMIN_TOKEN": ADMIN_TOKEN,
                "LOG_LEVEL": "WARNING",
                "LEASE_SECONDS": "2",
            },
            tmp_path,
            port,
        )
        await migrate(database_url)  # `chopni-bot db upgrade`, the release step on PostgreSQL
        await bot.start()
        try:
            seller = await link(bot, telegram)
            created: dict[str, str] = {}  # number -> marketplace id
            saved: set[str] = set()

            async def sales() -> None:
                for _ in range(SALES_PER_ROUND):
                    order = await marketplace.sandbox.create_demo_order(SELLER)
                    created[order.number] = order.id
                    await asyncio.sleep(rng.uniform(0.0, 0.15))

            async def changes(numbers: list[str]) -> None:
                for number in numbers:
                    await start_processing(seller, number)
                    saved.add(number)

            for _ in range(ROUNDS):
                to_start = [n for n in created if n not in saved][:3]
                burst = [asyncio.create_task(sales()), asyncio.create_task(changes(to_start))]
                await asyncio.sleep(rng.uniform(0.3, 1.5))
                await bot.kill()
                for task in burst:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, AssertionError):
                        await task
                await bot.start()
                await seller.send("/cancel")  # a flow cut off by the kill is left behind

            # Time to catch up: the reconciler finds sales whose webhooks met a dead process.
            async def settled() -> None:
                while True:
                    notified = sales_of(seller, list(created))
                    if all(n in notified for n in created) and not await pending(database_url):
                        return
                    await asyncio.sleep(0.2)

            try:
                await asyncio.wait_for(settled(), 60)
            except TimeoutError:
                notified = sales_of(seller, list(created))
                missing = [n for n in created if n not in notified]
                raise AssertionError(
                    f"not settled: sales never notified {missing}, "
                    f"{await pending(database_url)} rows still pending"
                ) from None
        finally:
            assert await bot.stop() == 0

        notified = sales_of(seller, list(created))
        assert set(created) <= set(notified)
        # A message in flight when the process died may go out twice; nothing else may.
        assert sum(count - 1 for count in notified.values()) <= bot.kills

        posts = [r for r in marketplace.requests_for("/v1/orders/", "POST") if "/status" in r.path]
        keys_by_order: dict[str, set[str | None]] = {}
        for request in posts:
            keys_by_order.setdefault(request.path.split("/")[3], set()).add(request.idempotency_key)
        for order_id, keys in keys_by_order.items():
            applied = await marketplace.applied_changes(order_id)
            # Each change the bot sent was applied once: one key, one history entry.
            assert [c["status"] for c in applied] == ["PROCESSING"] * len(keys) == ["PROCESSING"]
        # Every change the seller saw saved reached the marketplace.
        assert {created[number] for number in saved} <= set(keys_by_order)
