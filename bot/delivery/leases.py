"""Named leases in the database: one process polls Telegram, the others wait as hot standbys.

A lease is a row (name, holder, expires_at), its holder an owner id (``bot.delivery.liveness``).
It is taken when it is free, ours, expired, or held by an owner whose lock shows it is gone:
a killed holder is replaced at once, not when its lease runs out. The holder renews it (its
heartbeat) well before it runs out, so the time limit only matters for a holder that is alive
but stuck. A standby looks every second; the owners' sweep nudges it when an owner disappears.

Time comes from the injected ``clock`` and the pause between looks from ``pause``, so a test
moves time itself instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.delivery.liveness import Liveness
from storage.database import Database
from storage.models import Lease as LeaseRow

log = logging.getLogger(__name__)


#: seconds a lease lasts unless renewed; its holder renews it every third of that
DEFAULT_TTL = 30.0
#: how often a standby looks at the lease and its holder's lock
STANDBY_CHECK = 1.0

#: waits ``seconds``, or less if the event is set first
Pause = Callable[[asyncio.Event, float], Awaitable[None]]


async def pause_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Lease:
    def __init__(
        self,
        db: Database,
        name: str,
        holder: str,
        ttl: float = DEFAULT_TTL,
        *,
        liveness: Liveness | None = None,
        clock: Callable[[], datetime] = utc_now,
        pause: Pause = pause_unless_stopped,
    ) -> None:
        self._db = db
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self._liveness = liveness
        self.held = asyncio.Event()
        self._nudge = asyncio.Event()
        self._clock = clock
        self._pause = pause

    def wake(self) -> None:
        """Look again now (an owner has just been found gone)."""
        self._nudge.set()

    async def _gone(self, holder: str) -> bool:
        if self._liveness is None:
            return False
        return holder not in await self._liveness.alive([holder])

    async def try_acquire(self) -> bool:
        now = self._clock()
        expires = now + timedelta(seconds=self.ttl)
        async with self._db.transaction() as session:
            query = select(LeaseRow).where(LeaseRow.name == self.name)
            if not self._db.is_sqlite:
                query = query.with_for_update()
            row = await session.scalar(query)
            if row is None:
                session.add(LeaseRow(name=self.name, holder=self.holder, expires_at=expires))
                try:
                    await session.commit()
                except IntegrityError:
                    return False  # another process created it first
                return True
            if row.holder != self.holder and row.expires_at >= now:
                if not await self._gone(row.holder):
                    return False
                log.info("lease %s: its holder %s is gone; taking it over", self.name, row.holder)
            row.holder = self.holder
            row.expires_at = expires
            await session.commit()
        return True

    async def renew(self) -> bool:
        return await self.try_acquire()

    async def release(self) -> None:
        self.held.clear()
        with contextlib.suppress(Exception):
            async with self._db.transaction() as session:
                await session.execute(
                    delete(LeaseRow).where(
                        LeaseRow.name == self.name, LeaseRow.holder == self.holder
                    )
                )
                await session.commit()

    async def hold(self, stop: asyncio.Event) -> None:
        """Wait until the lease is ours, then keep it until ``stop``; ``held`` tells which."""
        while not stop.is_set():
            self._nudge.clear()
            try:
                ours = await self.try_acquire()
            except Exception:
                log.exception("lease %s could not be checked", self.name)
                ours = False
            if ours and not self.held.is_set():
                log.info("lease %s taken by %s", self.name, self.holder)
                self.held.set()
            elif not ours and self.held.is_set():
                log.warning("lease %s lost by %s", self.name, self.holder)
                self.held.clear()
            seconds = self.ttl / 3 if ours else min(self.ttl / 3, STANDBY_CHECK)
            waiters = [
                asyncio.ensure_future(self._pause(stop, seconds)),
                asyncio.ensure_future(self._nudge.wait()),
            ]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
