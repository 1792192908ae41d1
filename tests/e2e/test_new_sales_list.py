"""A flash sale on the seller's phone: the sales that waited for the chat arrive as one list,
and its "All new orders" button lists every sale not started yet, each with its PROCESSING
button."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.delivery.rate_limit import ChatRateLimiter
from bot.presentation.coalesced import MAX_BUTTONS
from storage.models import InboxEvent
from testkit.telegram_stub import StubUser, TelegramStub
from tests.e2e.conftest import RunningBot, started
from tests.e2e.helpers import sales_in

SALES = MAX_BUTTONS + 4


class Waiting(ChatRateLimiter):
    """An unpaced bot whose notifications wait while ``go`` is clear, as they wait for their
    chat's turn in a flash sale; answers to the seller never wait."""

    def __init__(self) -> None:
        super().__init__(1000, 1000, burst=1000)
        self.go = asyncio.Event()
        self.go.set()

    async def acquire(self, chat_id: int, *, urgent: bool = False) -> None:
        if not urgent:
            await self.go.wait()
        await super().acquire(chat_id, urgent=urgent)


@pytest.fixture
async def bot(telegram: TelegramStub, database_url: str) -> AsyncIterator[RunningBot]:
    async with started(RunningBot(telegram, database_url, limiter=Waiting())) as running:
        yield running


async def processed(bot: RunningBot) -> None:
    """Until every marketplace event so far is processed (its notifications queued)."""
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.wait_idle()
    while True:
        async with bot.rt.db.snapshot() as session:
            waiting = await session.scalar(
                select(func.count()).where(InboxEvent.processed_at.is_(None))
            )
        if not waiting:
            return
        await asyncio.sleep(0.02)


async def test_all_new_orders_lists_every_sale_the_list_had_no_button_for(
    bot: RunningBot, english_seller: StubUser
) -> None:
    assert bot.rt.sandbox is not None and isinstance(bot.rt.limiter, Waiting)
    bot.rt.limiter.go.clear()
    seller_id = f"demo-{english_seller.user_id}"
    numbers = [(await bot.rt.sandbox.create_demo_order(seller_id)).number for _ in range(SALES)]
    await asyncio.wait_for(processed(bot), 10)
    bot.rt.limiter.go.set()  # the chat's turn: every sale waiting goes out in one message

    listed = await english_seller.wait_for(lambda m: bool(sales_in(m.text or "", numbers)))
    assert f"{SALES} new sales" in (listed.text or "")
    assert re.findall(r"Order (\d+)", listed.text or "") == numbers  # each once, in order
    assert [text for text in listed.button_texts if text.startswith("PROCESSING")] == [
        f"PROCESSING {number}" for number in numbers[:MAX_BUTTONS]
    ]
    see_the_rest = f"All new orders ({SALES - MAX_BUTTONS} more here)"
    assert listed.button_texts[-1] == see_the_rest

    await english_seller.press(listed, see_the_rest)
    every = await english_seller.wait_for(lambda m: bool(sales_in(m.text or "", numbers)))
    assert sorted(re.findall(r"Order (\d+)", every.text or "")) == sorted(numbers)  # each once
    assert sorted(every.button_texts) == sorted(f"PROCESSING {number}" for number in numbers)
    await english_seller.press(every, f"PROCESSING {numbers[-1]}")
    await english_seller.wait_for(lambda m: "Skip" in m.button_texts)
