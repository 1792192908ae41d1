"""Taking over what a dead process claimed, the moment it is known dead, and what a stuck one
claimed, once its heartbeat is too old.

Each process registers as an :class:`~storage.models.Owner` and beats a heartbeat (``seen_at``)
every :data:`HEARTBEAT_EVERY` seconds. Its sweep probes the other owners' locks
(``bot.delivery.liveness``) at start-up and then every second: the outbox rows of an owner
whose lock is free are released to be sent again now, its leases are dropped, and it is
forgotten. An owner whose lock is held but whose heartbeat is older than ``stuck_after`` is
alive but stuck: what it claimed is released and its leases dropped the same way, and it stays
registered. When it wakes it finds its claims gone (``bot.delivery.outbox_claims``) and sends
none of them; its next heartbeat makes it an owner like any other again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.delivery.liveness import Liveness
from storage.database import Database
from storage.models import Lease, MarketplaceOutbox, Owner, TelegramOutbox

log = logging.getLogger(__name__)

#: seconds between sweeps, and between heartbeats of this process's own owner row
SWEEP_EVERY = 1.0
HEARTBEAT_EVERY = 10.0
#: an owner alive but without a heartbeat for this long is stuck: its claims are taken over
STUCK_AFTER = timedelta(seconds=30)


def claimable(
    claimed_by: InstrumentedAttribute[str | None], owner: str | None
) -> ColumnElement[bool]:
    """Rows ``owner`` may claim when due: unclaimed ones, its own, and those of no registered
    owner. Another owner's claim stays its own, whatever its age, until the sweep gives it back
    (its owner gone, or stuck)."""
    others = select(Owner.id).where(Owner.id != owner)
    return or_(claimed_by.is_(None), ~claimed_by.in_(others))


class Takeover:
    def __init__(
        self,
        db: Database,
        liveness: Liveness,
        *,
        on_taken: Callable[[], None] = lambda: None,
        stuck_after: timedelta = STUCK_AFTER,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self.liveness = liveness
        self._on_taken = on_taken
        self._stuck_after = stuck_after
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
        now = self._clock()
        async with self._db.transaction() as session:
            beat = await session.execute(
                update(Owner).where(Owner.id == self.owner).values(seen_at=now)
            )
            if not beat.rowcount:  # type: ignore[attr-defined]
                # Forgotten while its lock was lost for a moment: it is an owner again.
                session.add(Owner(id=self.owner, started_at=now, seen_at=now))
            await session.commit()

    async def sweep(self) -> list[str]:
        """Release what the owners found gone or stuck had claimed; returns their ids."""
        async with self._db.snapshot() as session:
            seen = {id_: at for id_, at in await session.execute(select(Owner.id, Owner.seen_at))}
        others = set(seen) - {self.owner}
        if not others:
            return []
        alive = await self.liveness.alive(others)
        gone = sorted(others - alive)
        silent_since = self._clock() - self._stuck_after
        stuck = sorted(owner for owner in alive & others if seen[owner] < silent_since)
        if not gone and not stuck:
            return []
        async with self._db.transaction() as session:
            sending, delivering, polling = await _release(session, [*gone, *stuck], self._clock())
            await session.execute(delete(Owner).where(Owner.id.in_(gone)))
            await session.commit()
        if gone:
            log.warning("owners %s are gone: their claims are taken over", ", ".join(gone))
        if sending or delivering or polling:
            log.warning(
                "%s messages, %s marketplace changes and %s leases taken over from %s",
                sending,
                delivering,
                polling,
                ", ".join(f"{o} (stuck)" if o in stuck else o for o in [*gone, *stuck]),
            )
        if gone or sending or delivering or polling:
            self._on_taken()
        return sorted([*gone, *stuck])

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep every second and beat the heartbeat, until ``stop``."""
        beaten = time.monotonic()
        while not stop.is_set():
            try:
                if time.monotonic() - beaten >= HEARTBEAT_EVERY:
                    beaten = time.monotonic()
                    await self.heartbeat()
                await self.sweep()
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


async def _release(
    session: AsyncSession, owners: Iterable[str], now: datetime
) -> tuple[int, int, int]:
    """Give back what ``owners`` claimed, to be sent (or delivered, or polled) again now."""
    owners = list(owners)
    sending = await session.execute(
        update(TelegramOutbox)
        .where(
            TelegramOutbox.claimed_by.in_(owners),
            TelegramOutbox.sent_at.is_(None),
            TelegramOutbox.failed_at.is_(None),
        )
        .values(claimed_by=None, next_attempt_at=now)
    )
    delivering = await session.execute(
        update(MarketplaceOutbox)
        .where(
            MarketplaceOutbox.claimed_by.in_(owners),
            MarketplaceOutbox.delivered_at.is_(None),
            MarketplaceOutbox.failed_at.is_(None),
        )
        .values(claimed_by=None, next_attempt_at=now)
    )
    polling = await session.execute(delete(Lease).where(Lease.holder.in_(owners)))
    return (
        sending.rowcount,  # type: ignore[attr-defined]
        delivering.rowcount,  # type: ignore[attr-defined]
        polling.rowcount,  # type: ignore[attr-defined]
    )
