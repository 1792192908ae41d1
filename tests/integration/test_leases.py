"""A database lease has one holder at a time, and passes on when its holder stops renewing.

Time is a test clock: nothing here waits for the real one.
"""

from __future__ import annotations

import asyncio

from bot.delivery.leases import Lease, Pause
from storage.database import Database
from testkit.clock import Clock


def moving(clock: Clock) -> Pause:
    """A pause between renewals that moves the test clock instead of waiting."""

    async def pause(stop: asyncio.Event, seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    return pause


async def test_only_one_process_holds_the_lease(db: Database) -> None:
    clock = Clock()
    first = Lease(db, "telegram-poller", "host-a:1", ttl=30, clock=clock)
    second = Lease(db, "telegram-poller", "host-b:2", ttl=30, clock=clock)
    assert await first.try_acquire()
    assert not await second.try_acquire()
    clock.advance(29)
    assert not await second.try_acquire()
    assert await first.renew()


async def test_an_expired_lease_is_taken_over_and_a_released_one_is_free(db: Database) -> None:
    clock = Clock()
    first = Lease(db, "telegram-poller", "host-a:1", ttl=30, clock=clock)
    second = Lease(db, "telegram-poller", "host-b:2", ttl=30, clock=clock)
    assert await first.try_acquire()
    clock.advance(31)
    assert await second.try_acquire()
    assert not await first.renew()
    await second.release()
    assert await first.try_acquire()


async def test_a_standby_takes_over_when_the_holder_stops(db: Database) -> None:
    clock = Clock()
    holder = Lease(db, "poller", "a", ttl=30, clock=clock, pause=moving(clock))
    standby = Lease(db, "poller", "b", ttl=30, clock=clock, pause=moving(clock))
    stop_holder, stop_standby = asyncio.Event(), asyncio.Event()
    holding = asyncio.create_task(holder.hold(stop_holder))
    await asyncio.wait_for(holder.held.wait(), 5)
    # The holder renews every ttl/3 of clock time: the standby never finds it expired.
    for _ in range(3):
        assert not await standby.try_acquire()
        await asyncio.sleep(0)
    stop_holder.set()
    await holding
    waiting = asyncio.create_task(standby.hold(stop_standby))
    await asyncio.wait_for(standby.held.wait(), 5)
    stop_standby.set()
    await waiting


async def test_a_holder_that_finds_its_lease_taken_says_it_lost_it(db: Database) -> None:
    clock = Clock()
    pauses: list[float] = []

    async def pause(stop: asyncio.Event, seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 1:
            # The holder stalled past its ttl, and another process took the lease meanwhile.
            clock.advance(31)
            assert await Lease(db, "poller", "b", ttl=30, clock=clock).try_acquire()
        else:
            stop.set()

    holder = Lease(db, "poller", "a", ttl=30, clock=clock, pause=pause)
    await holder.hold(asyncio.Event())
    assert not holder.held.is_set()
    assert pauses == [10.0, 1.0]  # renewing every ttl/3, then looking every second
