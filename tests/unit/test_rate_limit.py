"""The send pacer: evenly spread, per chat and overall, answers first, and a 429 holds up only
its chat."""

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


async def test_queued_sends_to_one_chat_leave_room_in_its_burst_for_an_answer() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(30, 1.0, burst=3, reserve=1, clock=time.clock, sleep=time.sleep)
    moments = await sends(limiter, time, [7, 7, 7])
    assert moments == [0.0, 1.0, 3.0]  # two in any three seconds, the third place kept free
    time.now = 3.5
    await limiter.acquire(7, urgent=True)
    assert time.now == 3.5


async def test_answers_to_one_chat_may_use_the_whole_burst_but_no_more() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(30, 1.0, burst=3, clock=time.clock, sleep=time.sleep)
    for _ in range(4):
        await limiter.acquire(7, urgent=True)
    assert time.now == pytest.approx(3.0)


async def test_an_answer_goes_before_the_notifications_waiting_for_the_global_rate() -> None:
    limiter = ChatRateLimiter(20, 1.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    done: dict[str, float] = {}

    async def send(chat: int, urgent: bool) -> None:
        await limiter.acquire(chat, urgent=urgent)
        done[f"{'answer' if urgent else 'queued'} {chat}"] = loop.time() - started

    queued = [asyncio.create_task(send(chat, False)) for chat in range(20)]
    await asyncio.sleep(0.01)
    await send(99, True)
    await asyncio.gather(*queued)
    # Twenty notifications need a second at 20/s; the answer took the next free place.
    assert done["answer 99"] < 0.15
    assert max(done.values()) >= 0.9


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
