"""A process that dies is known dead at once, and what it claimed is taken over at once.

The other process is real: a child Python process takes its lock (a file lock beside SQLite, an
advisory lock on PostgreSQL) and is killed with SIGKILL, as a crash would.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.delivery.leases import Lease
from bot.delivery.liveness import Liveness, liveness_for
from bot.delivery.takeover import Takeover
from storage.database import Database
from storage.models import Lease as LeaseRow
from storage.models import Owner, TelegramOutbox

CHILD = """
import asyncio, sys
from bot.delivery.liveness import liveness_for
from storage.database import Database

async def main() -> None:
    db = Database(sys.argv[1])
    liveness = liveness_for(db.url, db.engine)
    await liveness.start()
    print(liveness.owner, flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"""


class Child:
    """Another bot process, as far as liveness goes: it holds its lock until it is killed."""

    def __init__(self, process: asyncio.subprocess.Process, owner: str) -> None:
        self.process = process
        self.owner = owner

    async def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()


@pytest.fixture
async def child(db: Database) -> AsyncIterator[Child]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, db.url, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    owner = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
    yield Child(process, owner)
    if process.returncode is None:
        await Child(process, owner).kill()


@pytest.fixture
async def liveness(db: Database) -> AsyncIterator[Liveness]:
    mine = liveness_for(db.url, db.engine)
    await mine.start()
    yield mine
    await mine.close()


async def test_a_killed_process_is_known_dead_at_once(child: Child, liveness: Liveness) -> None:
    assert await liveness.alive([child.owner, liveness.owner]) == {child.owner, liveness.owner}
    await child.kill()
    assert await liveness.alive([child.owner]) == set()


async def _claimed_row(db: Database, owner: str) -> int:
    now = datetime.now(UTC)
    async with db.transaction() as session:
        session.add(Owner(id=owner, started_at=now, seen_at=now))
        row = TelegramOutbox(
            chat_id=1,
            payload={"method": "sendMessage", "params": {"chat_id": 1, "text": "sale"}},
            attempts=0,
            next_attempt_at=now + timedelta(minutes=1),
            created_at=now,
            claimed_by=owner,
        )
        session.add(row)
        session.add(
            LeaseRow(name="telegram-poller", holder=owner, expires_at=now + timedelta(seconds=30))
        )
        await session.commit()
        return row.id


async def test_what_a_dead_process_claimed_is_taken_over_without_waiting_for_its_leases(
    db: Database, child: Child, liveness: Liveness
) -> None:
    row_id = await _claimed_row(db, child.owner)
    takeover = Takeover(db, liveness)
    lease = Lease(db, "telegram-poller", liveness.owner, liveness=liveness)
    assert await takeover.sweep() == []
    assert not await lease.try_acquire()

    await child.kill()
    assert await lease.try_acquire()
    assert await takeover.sweep() == [child.owner]
    async with db.snapshot() as session:
        row = await session.get(TelegramOutbox, row_id)
        assert row is not None and row.claimed_by is None
        assert row.next_attempt_at <= datetime.now(UTC)
        assert await session.scalar(select(Owner.id).where(Owner.id == child.owner)) is None


async def test_a_live_owner_with_a_fresh_heartbeat_keeps_its_claims(
    db: Database, child: Child, liveness: Liveness
) -> None:
    await _claimed_row(db, child.owner)
    takeover = Takeover(db, liveness)
    assert await takeover.sweep() == []
    async with db.snapshot() as session:
        assert await session.scalar(select(TelegramOutbox.claimed_by)) == child.owner
