"""The send pacer: evenly spread, per chat and overall, and a 429 holds up only its chat."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.delivery.rate_limit import ChatRateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def sends(limiter: ChatRateLimiter, time: FakeTime, chats: list[int]) -> list[float]:
    moments = []
    for chat in chats:
        await limiter.acquire(chat)
        moments.append(time.now)
    return moments


async def test_sends_to_one_chat_are_at_most_about_one_a_second() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(30, 1.0, clock=time.clock, sleep=time.sleep)
    moments = await sends(limiter, time, [7, 7, 7])
    assert moments == [0.0, 1.0, 2.0]


async def test_sends_to_many_chats_are_spread_at_the_global_rate() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(20, 1.0, clock=time.clock, sleep=time.sleep)
    moments = await sends(limiter, time, list(range(40)))
    assert moments[-1] == pytest.approx(39 / 20)
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(moments)}
    assert gaps == {0.05}


async def test_a_429_for_one_chat_does_not_hold_up_another() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(30, 1.0, clock=time.clock, sleep=time.sleep)
    limiter.block(1, 30)
    await limiter.acquire(2)
    assert time.now < 1
    await limiter.acquire(1)
    assert time.now >= 30


async def test_concurrent_waiters_get_distinct_slots() -> None:
    limiter = ChatRateLimiter(100, 1.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    moments: list[float] = []

    async def one(chat: int) -> None:
        await limiter.acquire(chat)
        moments.append(loop.time() - started)

    await asyncio.gather(*(one(chat) for chat in range(10)))
    assert max(moments) >= 0.08
