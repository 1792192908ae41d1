"""A process that is alive but stuck: once its heartbeat is too old, what it claimed is taken
over, and when it wakes it notices and sends none of it again.

Both processes are played here, each with its own lock (a file lock beside SQLite, an advisory
lock on PostgreSQL); the stuck one stops in its send, between its claim and the Bot API call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from telegram import Bot

from bot.delivery.leases import Lease
from bot.delivery.liveness import liveness_for
from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.takeover import Takeover
from bot.delivery.telegram_outbox import TelegramSender, enqueue
from storage.database import Database
from storage.models import Owner, TelegramOutbox
from testkit.telegram_stub import TelegramStub

TOKEN = "123456:STUCK"
CHAT = 6060


class Asleep(ChatRateLimiter):
    """The pacer of a process that stops: a send that reaches it waits until ``wake``."""

    def __init__(self) -> None:
        super().__init__(1000, 1000)
        self.reached = asyncio.Event()
        self.wake = asyncio.Event()

    async def acquire(self, chat_id: int, *, urgent: bool = False) -> None:
        self.reached.set()
        await self.wake.wait()
        await super().acquire(chat_id, urgent=urgent)


async def process(db: Database) -> AsyncIterator[Takeover]:
    takeover = Takeover(db, liveness_for(db.url, db.engine))
    await takeover.register()
    yield takeover
    await takeover.close()


stuck = pytest.fixture(process)
other = pytest.fixture(process)


@pytest.fixture
async def bot() -> AsyncIterator[tuple[Bot, TelegramStub]]:
    async with (
        TelegramStub(token=TOKEN) as telegram,
        Bot(TOKEN, base_url=f"{telegram.api_root}/bot") as bot,
    ):
        yield bot, telegram


async def silent_for(db: Database, owner: str, seconds: float) -> None:
    """The owner's last heartbeat was ``seconds`` ago."""
    async with db.transaction() as session:
        await session.execute(
            update(Owner)
            .where(Owner.id == owner)
            .values(seen_at=datetime.now(UTC) - timedelta(seconds=seconds))
        )
        await session.commit()


async def queue_sale(db: Database) -> None:
    async with db.transaction() as session:
        enqueue(session, CHAT, "sendMessage", {"chat_id": CHAT, "text": "New sale: order 100900"})
        await session.commit()


async def stuck_mid_send(
    db: Database, api: Bot, owner: str, **sender: Any
) -> tuple[Asleep, asyncio.Task[int]]:
    """A sale queued, and ``owner``'s sender asleep in the middle of sending it: wake it with
    ``asleep.wake``; the task ends with the rows it settled."""
    await queue_sale(db)
    asleep = Asleep()
    sending = asyncio.create_task(
        TelegramSender(db, api, limiter=asleep, owner=owner, **sender).drain_once()
    )
    await asleep.reached.wait()
    return asleep, sending


async def test_a_stuck_owner_s_message_is_sent_by_another_and_not_again_when_it_wakes(
    db: Database, stuck: Takeover, other: Takeover, bot: tuple[Bot, TelegramStub]
) -> None:
    api, telegram = bot
    # Its claim's lease runs out at once: only the heartbeat decides that it is stuck.
    asleep, sending = await stuck_mid_send(db, api, stuck.owner, lease=timedelta(0))
    other_sender = TelegramSender(db, api, limiter=ChatRateLimiter(1000, 1000), owner=other.owner)

    await silent_for(db, stuck.owner, 10)
    assert await other.sweep() == []  # a heartbeat ten seconds old: alive and well
    assert await other_sender.drain_once() == 0  # its claim is its own while it lives

    await silent_for(db, stuck.owner, 31)
    assert await other.sweep() == [stuck.owner]
    assert await other_sender.drain(timeout=10) == 1
    [sent] = telegram.events(CHAT)

    asleep.wake.set()  # it wakes, in the middle of the send it had begun
    assert await sending == 0
    assert telegram.events(CHAT) == [sent]
    async with db.snapshot() as session:
        row = await session.scalar(select(TelegramOutbox))
        registered = await session.scalar(select(Owner.id).where(Owner.id == stuck.owner))
    assert row is not None and row.telegram_message_id == sent.message_id
    assert row.attempts == 1 and row.claimed_by is None
    assert registered == stuck.owner  # alive: still an owner, its next heartbeat counts again
    await stuck.heartbeat()
    assert await other.sweep() == []


async def test_a_stuck_owner_that_wakes_before_anyone_sends_leaves_the_message_queued(
    db: Database, stuck: Takeover, other: Takeover, bot: tuple[Bot, TelegramStub]
) -> None:
    api, telegram = bot
    asleep, sending = await stuck_mid_send(db, api, stuck.owner)
    await silent_for(db, stuck.owner, 60)
    assert await other.sweep() == [stuck.owner]

    asleep.wake.set()
    assert await sending == 0
    assert telegram.events(CHAT) == []
    other_sender = TelegramSender(db, api, limiter=ChatRateLimiter(1000, 1000), owner=other.owner)
    assert await other_sender.drain(timeout=10) == 1
    assert len(telegram.events(CHAT)) == 1


async def test_a_stuck_owner_loses_the_poller_lease(
    db: Database, stuck: Takeover, other: Takeover
) -> None:
    held = Lease(db, "telegram-poller", stuck.owner, liveness=stuck.liveness)
    wanting = Lease(db, "telegram-poller", other.owner, liveness=other.liveness)
    assert await held.try_acquire()
    assert not await wanting.try_acquire()

    await silent_for(db, stuck.owner, 60)
    assert await other.sweep() == [stuck.owner]
    assert await wanting.try_acquire()
    assert not await held.renew()  # it wakes to find the lease another's
