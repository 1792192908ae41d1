"""A database lease has one holder at a time, and passes on when its holder stops renewing."""

from __future__ import annotations

import asyncio

from bot.delivery.leases import Lease
from storage.database import Database


async def test_only_one_process_holds_the_lease(db: Database) -> None:
    first = Lease(db, "telegram-poller", "host-a:1", ttl=30)
    second = Lease(db, "telegram-poller", "host-b:2", ttl=30)
    assert await first.try_acquire()
    assert not await second.try_acquire()
    assert await first.renew()


async def test_an_expired_lease_is_taken_over_and_a_released_one_is_free(db: Database) -> None:
    first = Lease(db, "telegram-poller", "host-a:1", ttl=0.05)
    second = Lease(db, "telegram-poller", "host-b:2", ttl=30)
    assert await first.try_acquire()
    await asyncio.sleep(0.1)
    assert await second.try_acquire()
    assert not await first.renew()
    await second.release()
    assert await first.try_acquire()


async def test_a_standby_takes_over_when_the_holder_stops(db: Database) -> None:
    holder = Lease(db, "poller", "a", ttl=0.3)
    standby = Lease(db, "poller", "b", ttl=0.3)
    stop_holder, stop_standby = asyncio.Event(), asyncio.Event()
    holding = asyncio.create_task(holder.hold(stop_holder))
    await asyncio.wait_for(holder.held.wait(), 5)
    waiting = asyncio.create_task(standby.hold(stop_standby))
    await asyncio.sleep(0.2)
    assert not standby.held.is_set()
    stop_holder.set()
    await holding
    await asyncio.wait_for(standby.held.wait(), 5)
    stop_standby.set()
    await waiting
