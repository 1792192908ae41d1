"""Two bot processes on one PostgreSQL database: one polls Telegram, both deliver, nothing twice.

Sales arrive as signed webhooks at both processes in turn; both send from the shared outbox
(rows claimed with FOR UPDATE SKIP LOCKED), so each sale must reach its seller exactly once.
Only the lease holder long-polls getUpdates (a second poller would end the first one's poll with
409 Conflict); when it is killed with SIGKILL, the standby sees at once that its lock is gone,
takes the poller lease over without waiting for it to run out, and answers within 3 s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.database import Database
from storage.models import Lease
from testkit.marketplace_stub import MarketplaceStub, new_webhook_secret
from testkit.ports import free_port
from testkit.processes import BotProcess, link_seller, migrate, stub_env
from testkit.telegram_stub import StubUser, TelegramStub
from testkit.telegram_stub_records import ApiError
from testkit.work import unfinished
from tests.conftest import TEST_DATABASE_URL
from tests.e2e.conftest import ADMIN_TOKEN
from tests.e2e.helpers import sale_numbers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not TEST_DATABASE_URL, reason="several processes share a database only on PostgreSQL"
    ),
]

TOKEN = "123456:TWO-processes-token"
SECRET = new_webhook_secret()
SELLERS = [f"shop-pair-{n}" for n in range(4)]
SALES_PER_SELLER = 10


async def poller(db: Database) -> str | None:
    async with db.snapshot() as session:
        return await session.scalar(select(Lease.holder).where(Lease.name == "telegram-poller"))


def pid_of(holder: str | None) -> int | None:
    """The process id inside an owner id (``host:pid:token``)."""
    return int(holder.split(":")[1]) if holder else None


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramStub]:
    async with TelegramStub(token=TOKEN, latency=0.01) as stub:
        yield stub


async def test_two_processes_poll_once_deliver_once_and_take_over_from_each_other(
    tmp_path: Path, database_url: str, telegram: TelegramStub
) -> None:
    conflicts: list[str] = []
    get_updates = telegram._m_getUpdates

    async def counting(params: dict[str, Any]) -> Any:
        try:
            return await get_updates(params)
        except ApiError as exc:
            if exc.code == 409:
                conflicts.append(exc.description)
            raise

    telegram._m_getUpdates = counting  # type: ignore[method-assign]
    await migrate(database_url)
    async with MarketplaceStub(webhook_secret=SECRET, verify_delay=3600) as marketplace:
        env = stub_env(
            telegram, marketplace, database_url, admin_token=ADMIN_TOKEN, lease_seconds=30
        )
        first = BotProcess(env, tmp_path / "first", free_port())
        second = BotProcess(env, tmp_path / "second", free_port())
        for process in (first, second):
            process.cwd.mkdir()
            await process.start()
        db = Database(database_url)
        try:
            users: dict[str, StubUser] = {}
            for n, seller in enumerate(SELLERS):
                users[seller] = await link_seller(
                    telegram, first.base_url, seller, 7400 + n, ADMIN_TOKEN
                )

            numbers: dict[str, list[str]] = {seller: [] for seller in SELLERS}
            for n in range(SALES_PER_SELLER * len(SELLERS)):
                target = (first, second)[n % 2]
                marketplace.webhook_url = f"{target.base_url}/webhooks/chopni"
                seller = SELLERS[n % len(SELLERS)]
                numbers[seller].append((await marketplace.sandbox.create_demo_order(seller)).number)

            async def delivered() -> None:
                while True:
                    if not await unfinished(db) and all(
                        len(sale_numbers(users[s], numbers[s])) >= SALES_PER_SELLER for s in SELLERS
                    ):
                        return
                    await asyncio.sleep(0.1)

            await asyncio.wait_for(delivered(), 60)
            await asyncio.sleep(1.0)  # a second copy, were there one, would arrive by now
            for seller in SELLERS:
                assert sorted(sale_numbers(users[seller], numbers[seller])) == sorted(
                    numbers[seller]
                )

            # One process holds the poller lease; the other never polled against it.
            holder = await poller(db)
            polling, standby = (first, second) if pid_of(holder) == first.pid else (second, first)
            assert pid_of(holder) == polling.pid
            assert conflicts == []

            # The poller dies; the standby takes the lease over and answers within 3 s.
            await polling.kill()
            killed = time.monotonic()
            user = users[SELLERS[0]]
            await user.send("/help")
            answer = await user.wait_for(lambda m: "/orders" in (m.text or ""), timeout=30)
            assert answer.date_monotonic - killed <= 3.0
            assert pid_of(await poller(db)) == standby.pid
        finally:
            await db.dispose()
            for process in (first, second):
                await process.stop()
