"""Named leases in the database: one process polls Telegram, the others wait as hot standbys.

A lease is a row (name, holder, expires_at). Taking it is one conditional write that succeeds
only when the lease is free, expired, or already ours, so it works the same on SQLite and
PostgreSQL. The holder renews it well before it runs out; if the holder dies, another process
takes over once it expires.

Time comes from the injected ``clock`` and the pause between renewals from ``pause``, so a test
moves time itself instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.models import Lease as LeaseRow

log = logging.getLogger(__name__)


#: seconds a lease lasts unless renewed; its holder renews it every third of that
DEFAULT_TTL = 30.0


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
        clock: Callable[[], datetime] = utc_now,
        pause: Pause = pause_unless_stopped,
    ) -> None:
        self._db = db
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self.held = asyncio.Event()
        self._clock = clock
        self._pause = pause

    async def try_acquire(self) -> bool:
        now = self._clock()
        expires = now + timedelta(seconds=self.ttl)
        async with self._db.transaction() as session:
            result = await session.execute(
                update(LeaseRow)
                .where(
                    LeaseRow.name == self.name,
                    or_(LeaseRow.holder == self.holder, LeaseRow.expires_at < now),
                )
                .values(holder=self.holder, expires_at=expires)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                await session.commit()
                return True
            if await session.get(LeaseRow, self.name) is not None:
                return False
            session.add(LeaseRow(name=self.name, holder=self.holder, expires_at=expires))
            try:
                await session.commit()
            except IntegrityError:
                return False  # another process created it first
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
            await self._pause(stop, self.ttl / 3)
