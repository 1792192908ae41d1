"""The send pacer: evenly spread, per chat and overall, answers first, a 429 holds up only its
chat, and a send counts from its start until a window after its answer (Telegram counts it on
arrival, somewhere in between)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.delivery.rate_limit import ChatRateLimiter


class FakeTime:
    def __init__(self, late: float = 0.0) -> None:
        self.now = 0.0
        #: how much later than asked a sleeper wakes (a busy event loop)
        self.late = late

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.late


async def sends(
    limiter: ChatRateLimiter, time: FakeTime, chats: list[int], *, urgent: bool = False
) -> list[float]:
    """Send to each chat in turn, each answered the moment it starts."""
    moments = []
    for chat in chats:
        async with limiter.sending(chat, urgent=urgent):
            moments.append(time.now)
    return moments


async def test_queued_sends_to_one_chat_leave_room_in_its_burst_for_an_answer() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(30, 1.0, burst=3, reserve=1, clock=time.clock, sleep=time.sleep)
    moments = await sends(limiter, time, [7, 7, 7])
    assert moments == [0.0, 1.0, 3.0]  # two in any three seconds, the third place kept free
    time.now = 3.5
    assert await sends(limiter, time, [7], urgent=True) == [3.5]


async def test_answers_to_one_chat_may_use_the_whole_burst_but_no_more() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(30, 1.0, burst=3, clock=time.clock, sleep=time.sleep)
    moments = await sends(limiter, time, [7] * 4, urgent=True)
    assert moments == pytest.approx([0, 1 / 30, 2 / 30, 3.0])


async def test_an_answer_goes_before_the_notifications_waiting_for_the_global_rate() -> None:
    limiter = ChatRateLimiter(20, 1.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    done: dict[str, float] = {}

    async def send(chat: int, urgent: bool) -> None:
        async with limiter.sending(chat, urgent=urgent):
            pass
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


async def test_turns_handed_out_late_by_a_busy_loop_keep_the_global_rate() -> None:
    time = FakeTime(late=0.01)
    limiter = ChatRateLimiter(20, 1.0, clock=time.clock, sleep=time.sleep)
    moments = await sends(limiter, time, list(range(40)))
    assert moments[-1] == pytest.approx(39 / 20 + 0.01)  # not 39 × (0.05 + 0.01)


async def test_a_429_for_one_chat_does_not_hold_up_another() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(30, 1.0, clock=time.clock, sleep=time.sleep)
    limiter.block(1, 30)
    await sends(limiter, time, [2])
    assert time.now < 1
    await sends(limiter, time, [1])
    assert time.now >= 30


async def test_concurrent_waiters_get_distinct_slots() -> None:
    limiter = ChatRateLimiter(100, 1.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    moments: list[float] = []

    async def one(chat: int) -> None:
        async with limiter.sending(chat):
            pass
        moments.append(loop.time() - started)

    await asyncio.gather(*(one(chat) for chat in range(10)))
    assert max(moments) >= 0.08


async def test_a_send_counts_in_the_global_window_until_a_second_after_its_answer() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(10, 100, global_window=3, clock=time.clock, sleep=time.sleep)
    for chat in (1, 2, 3):
        await limiter.acquire(chat)
    assert time.now == pytest.approx(0.2)  # three under way: the window is full
    time.now = 0.25
    limiter.release(1)  # its answer: it arrived at most now, so it counts until 1.25
    await limiter.acquire(4)
    assert time.now == pytest.approx(1.25)


async def test_a_slow_answer_holds_back_the_sends_to_its_chat_after_the_burst() -> None:
    time = FakeTime()
    limiter = ChatRateLimiter(1000, 1.0, burst=3, clock=time.clock, sleep=time.sleep)
    await limiter.acquire(7, urgent=True)
    time.now = 0.5  # Telegram took half a second to answer the first
    limiter.release(7)
    moments = await sends(limiter, time, [7, 7, 7], urgent=True)
    assert moments == pytest.approx([0.5, 0.501, 3.5])  # three seconds after that answer


async def test_a_send_under_way_is_waited_for_not_counted_out() -> None:
    limiter = ChatRateLimiter(1000, 1000, global_window=1)
    await limiter.acquire(1)
    second = asyncio.create_task(limiter.acquire(2))
    await asyncio.sleep(0.1)
    assert not second.done()  # the first is still on its way: it may yet arrive
    limiter.release(1)
    await asyncio.wait_for(second, 5)
