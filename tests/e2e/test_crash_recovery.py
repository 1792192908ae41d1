"""kill -9 in the middle of a burst, several times: back in seconds, nothing lost or done twice.

The bot runs as a real process against a marketplace reached over HTTP, with the production
leases (a minute for queued messages, 30 s for the poller): the restarted process must not wait
for them, since the dead one's locks show it is gone. Each round, sales pour in as signed
webhooks while the seller moves earlier orders to PROCESSING, and the process is killed with
SIGKILL at a random moment (seeded), then started again on the same database. After each
restart the seller's next command is answered, and the sales left queued start arriving, within
3 s of the process being ready. Afterwards every sale has reached the seller (a message in
flight at a kill may arrive twice, nothing more), and every change the seller saw saved reached
the marketplace exactly once, under one Idempotency-Key however often it was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.database import Database
from storage.models import TelegramOutbox
from testkit.marketplace_stub import MarketplaceStub, new_webhook_secret
from testkit.ports import free_port
from testkit.processes import BotProcess, link_seller, migrate, stub_env
from testkit.telegram_stub import StubUser, TelegramStub
from testkit.work import unfinished
from tests.e2e.conftest import ADMIN_TOKEN
from tests.e2e.helpers import sale_numbers, sales_in, skip_comment_and_confirm

#: about a minute of kill -9 rounds: outside the fast loop (pytest -m "not slow")
pytestmark = pytest.mark.slow

TOKEN = "123456:CRASH-test-token"
SELLER = "shop-crash"
ROUNDS = 4
SALES_PER_ROUND = 8
SECRET = new_webhook_secret()
#: after a restart: the first update answered, and queued notifications resumed, within this
BACK_WITHIN = 3.0


async def queued_for(db: Database, chat_id: int) -> int:
    """Messages queued for the chat and not sent yet."""
    async with db.snapshot() as session:
        count = await session.scalar(
            select(func.count()).where(
                TelegramOutbox.chat_id == chat_id,
                TelegramOutbox.sent_at.is_(None),
                TelegramOutbox.failed_at.is_(None),
            )
        )
    return int(count or 0)


async def first_after(
    telegram: TelegramStub, chat_id: int, seen: int, wanted: Callable[[str], bool]
) -> float:
    """When the first message after the ``seen`` first ones that ``wanted`` arrived (monotonic)."""
    events = telegram.events(chat_id)

    def found() -> float | None:
        return next((e.date_monotonic for e in events[seen:] if wanted(e.text or "")), None)

    await telegram.wait_changed(lambda: found() is not None, 30)
    arrived = found()
    assert arrived is not None, "nothing arrived after the restart"
    return arrived


async def start_processing(seller: StubUser, number: str) -> None:
    """PROCESSING by command, as a seller would; returns once the bot says it is saved."""
    await seller.send(f"/processing {number}")
    await skip_comment_and_confirm(seller, timeout=5)
    await seller.wait_for(
        lambda m: (m.text or "").startswith(("⏳", "✅")) and number in (m.text or ""), timeout=5
    )


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
        env = stub_env(
            telegram, marketplace, database_url, admin_token=ADMIN_TOKEN, lease_seconds=60
        )
        bot = BotProcess(env, tmp_path, port)
        await migrate(database_url)
        await bot.start()
        db = Database(database_url)
        try:
            seller = await link_seller(telegram, bot.base_url, SELLER, 7300, ADMIN_TOKEN)
            created: dict[str, str] = {}  # number -> marketplace id
            saved: set[str] = set()
            answered: list[float] = []  # seconds from ready to the first answer, per restart
            resumed: list[float] = []  # seconds from ready to the first queued sale sent

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
                waiting = await queued_for(db, seller.chat_id)
                seen = len(telegram.events(seller.chat_id))
                await bot.start()
                ready = time.monotonic()
                await seller.send("/help")
                help_at = first_after(telegram, seller.chat_id, seen, lambda t: "/orders" in t)
                if waiting:
                    sale_at = first_after(telegram, seller.chat_id, seen, lambda t: "sale" in t)
                    resumed.append(await sale_at - ready)
                answered.append(await help_at - ready)
                await seller.send("/cancel")  # a flow cut off by the kill is left behind

            # Time to catch up: the reconciler finds sales whose webhooks met a dead process.
            async def settled() -> None:
                while True:
                    notified = set(sale_numbers(seller, list(created)))
                    if notified >= set(created) and not await unfinished(db):
                        return
                    await asyncio.sleep(0.2)

            try:
                await asyncio.wait_for(settled(), 60)
            except TimeoutError:
                missing = set(created) - set(sale_numbers(seller, list(created)))
                raise AssertionError(
                    f"not settled: sales never notified {sorted(missing)}, "
                    f"{await unfinished(db)} rows still pending"
                ) from None
        finally:
            await db.dispose()
            assert await bot.stop() == 0

        assert max(answered) <= BACK_WITHIN, f"first answers after restarts: {answered}"
        assert resumed, "no kill left a notification queued: the test proves nothing"
        assert max(resumed) <= BACK_WITHIN, f"queued sales resumed after: {resumed}"
        notified = Counter(sale_numbers(seller, list(created)))
        assert set(created) <= set(notified)
        # A message in flight when the process died may go out twice (alone, or again within
        # the next list of sales); no other message names a sale already shown.
        shown: set[str] = set()
        repeats = 0
        for message in seller.messages:
            named = set(sales_in(message.text or "", list(created)))
            repeats += bool(named & shown)
            shown |= named
        assert repeats <= bot.kills

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
