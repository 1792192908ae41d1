"""Taking over what a dead process claimed, the moment it is known dead.

Each process registers as an :class:`~storage.models.Owner` and beats a heartbeat. Its sweep
probes the other owners' locks (``bot.delivery.liveness``) at start-up and then every second:
the outbox rows of an owner whose lock is free are released to be sent again now, its leases
are dropped, and it is forgotten. An owner that is alive but stuck keeps its lock; what it
claimed comes back only when the claim's time lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from bot.delivery.liveness import Liveness
from storage.database import Database
from storage.models import Lease, MarketplaceOutbox, Owner, TelegramOutbox

log = logging.getLogger(__name__)

#: seconds between sweeps, and between heartbeats of this process's own owner row
SWEEP_EVERY = 1.0
HEARTBEAT_EVERY = 10.0


class Takeover:
    def __init__(
        self,
        db: Database,
        liveness: Liveness,
        *,
        on_taken: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self.liveness = liveness
        self._on_taken = on_taken
        self._clock = clock

    @property
    def owner(self) -> str:
        return self.liveness.owner

    async def register(self) -> None:
        """Take this process's lock and enter it among the owners."""
        await self.liveness.start()
        now = self._clock()
        async with self._db.transaction() as session:
            session.add(Owner(id=self.owner, started_at=now, seen_at=now))
            await session.commit()

    async def heartbeat(self) -> None:
        if not await self.liveness.check():
            return
        async with self._db.transaction() as session:
            await session.execute(
                update(Owner).where(Owner.id == self.owner).values(seen_at=self._clock())
            )
            await session.commit()

    async def sweep(self) -> list[str]:
        """Release what the owners found gone had claimed; returns their ids."""
        async with self._db.snapshot() as session:
            others = set((await session.scalars(select(Owner.id))).all()) - {self.owner}
        if not others:
            return []
        gone = sorted(others - await self.liveness.alive(others))
        if not gone:
            return []
        now = self._clock()
        async with self._db.transaction() as session:
            sending = await session.execute(
                update(TelegramOutbox)
                .where(
                    TelegramOutbox.claimed_by.in_(gone),
                    TelegramOutbox.sent_at.is_(None),
                    TelegramOutbox.failed_at.is_(None),
                )
                .values(claimed_by=None, next_attempt_at=now)
            )
            delivering = await session.execute(
                update(MarketplaceOutbox)
                .where(
                    MarketplaceOutbox.claimed_by.in_(gone),
                    MarketplaceOutbox.delivered_at.is_(None),
                    MarketplaceOutbox.failed_at.is_(None),
                )
                .values(claimed_by=None, next_attempt_at=now)
            )
            await session.execute(delete(Lease).where(Lease.holder.in_(gone)))
            await session.execute(delete(Owner).where(Owner.id.in_(gone)))
            await session.commit()
        log.warning(
            "owners %s are gone: %s messages and %s marketplace changes taken over",
            ", ".join(gone),
            sending.rowcount,  # type: ignore[attr-defined]
            delivering.rowcount,  # type: ignore[attr-defined]
        )
        self._on_taken()
        return gone

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep every second and beat the heartbeat, until ``stop``."""
        since_beat = 0.0
        while not stop.is_set():
            try:
                await self.sweep()
                since_beat += SWEEP_EVERY
                if since_beat >= HEARTBEAT_EVERY:
                    since_beat = 0.0
                    await self.heartbeat()
            except Exception:
                log.exception("the owners' sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SWEEP_EVERY)

    async def close(self) -> None:
        """A clean stop: release this process's claims, forget it, release its lock."""
        with contextlib.suppress(Exception):
            async with self._db.transaction() as session:
                for table, settled in (
                    (TelegramOutbox, TelegramOutbox.sent_at),
                    (MarketplaceOutbox, MarketplaceOutbox.delivered_at),
                ):
                    await session.execute(
                        update(table)
                        .where(table.claimed_by == self.owner, settled.is_(None))
                        .values(claimed_by=None, next_attempt_at=self._clock())
                    )
                await session.execute(delete(Owner).where(Owner.id == self.owner))
                await session.commit()
        await self.liveness.close()
