"""Processing stored marketplace events: update the replica and queue the seller's notifications.

Events are processed many to a transaction, together with the notifications they cause, so a
crash either leaves them pending (they are processed again) or done with their messages queued.
Each order's events are processed in the order they arrived: one process at a time processes
events, and an event that fails or waits for a retry holds its order's later events back. A
batch in which one event fails is gone through again one event at a time, to record that one.
Notifications carry dedupe keys, so a replayed event never notifies twice. Before each batch
the processor gives way (``make_way``) to whatever must not wait on it: receiving webhooks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.delivery.notify import (
    SellerDefaults,
)
from bot.delivery.telegram_outbox import enqueue_many
from bot.delivery.worker import Worker
from bot.marketplace import Marketplace, MarketplaceError, schemas
from bot.sync.event_effects import BuyerMessageHook, EventEffects
from bot.sync.notices import SyncNotices
from storage import repositories
from storage.database import Database
from storage.models import InboxEvent

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
#: events looked at per transaction at most, and seconds of work before it commits: short
#: enough, while webhooks are arriving, that one arriving meanwhile (stored first on SQLite)
#: never waits long for it; longer when none is, so fewer commits share the work
BATCH = 200
BUDGET = 0.008
QUIET_BUDGET = 0.1
#: events read at a time inside a batch, while webhooks are arriving and when none is (a chunk
#: read at once costs less per event: bench.flash_sale's events, 470-545/s in chunks of 16,
#: 650-790/s in chunks of 64, processed alone); a transaction settles CHUNK events at least,
#: whatever the budget (the clock runs on while webhooks are answered in between). With the
#: CPU shared (two busy loops beside bench.ingestion), chunks of 8 and 8 ms held webhook
#: answers at p99 63-102 ms and 1,200-2,300 events/s, where 16 and 15 ms gave 99-278 ms and
#: 960-1,420/s; bench.flash_sale's processing rate was the same.
CHUNK = 8
QUIET_CHUNK = 64
#: the advisory lock (namespace, 0) that one process holds while it processes events;
#: the processes' liveness locks use the same namespace with other numbers
PROCESSING_LOCK_NAMESPACE = 0x43686F70


class EventProcessor:
    def __init__(
        self,
        db: Database,
        marketplace: Marketplace,
        defaults: SellerDefaults,
        notices: SyncNotices,
        *,
        on_notified: Callable[[], None] = lambda: None,
        make_way: Callable[[], Awaitable[None]] | None = None,
        receiving: Callable[[], bool] = lambda: False,
        on_buyer_message: BuyerMessageHook | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._make_way = make_way
        self._receiving = receiving
        self._effects = EventEffects(marketplace, defaults, notices, on_buyer_message)
        self._on_notified = on_notified
        self._clock = clock
        self._worker = Worker("events", self.process_pending)
        #: stored events this process has yet to go through, as of its last look
        self.backlog = 0

    def wake(self) -> None:
        self._worker.wake()

    async def run(self, stop: asyncio.Event, idle: float = 5.0) -> None:
        await self._worker.run(stop, idle)

    async def process_pending(self, limit: int = 1000) -> int:
        """Process due events oldest first, many to a transaction; returns how many settled."""
        async with self._db.snapshot() as session:
            ids = list(
                (
                    await session.scalars(
                        select(InboxEvent.id)
                        .where(InboxEvent.processed_at.is_(None))
                        .order_by(InboxEvent.received_at, InboxEvent.id)
                        .limit(limit)
                    )
                ).all()
            )
        settled, held = 0, set[str]()
        self.backlog = len(ids)
        while ids:
            if self._make_way is not None:
                await self._make_way()
            try:
                done, looked_at = await self._process_batch(ids, held)
            except (MarketplaceError, ValueError):
                # One event of the batch failed: go through it one event at a time, so the
                # failure is recorded on that event and the others are processed.
                done, looked_at = await self._process_singly(ids[:BATCH], held), BATCH
            if looked_at == 0:
                break  # another process is processing events right now
            settled += done
            ids = ids[looked_at:]
            self.backlog = len(ids)
        self.backlog = 0
        return settled

    async def _lock(self, session: AsyncSession) -> bool:
        """One process at a time processes events, so each order's events stay in order."""
        if self._db.is_sqlite:
            return True  # the transaction holds SQLite's only write lock already
        return bool(
            await session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:namespace, 0)"),
                {"namespace": PROCESSING_LOCK_NAMESPACE},
            )
        )

    async def _process_batch(self, ids: list[str], held: set[str]) -> tuple[int, int]:
        """Process the first events of ``ids`` in one transaction, for BUDGET seconds at most;
        returns (settled, how many of ``ids`` were looked at)."""
        self._effects.queue = []
        try:
            return await self._process_batch_queued(ids, held)
        finally:
            self._effects.queue = None

    async def _process_batch_queued(self, ids: list[str], held: set[str]) -> tuple[int, int]:
        now = self._clock()
        done: list[str] = []
        queue = self._effects.queue
        assert queue is not None
        async with self._db.transaction() as session:
            if not await self._lock(session):
                return 0, 0
            # The budget counts from here: waiting for the writer is not work done in it.
            started = time.perf_counter()
            budget, size = (BUDGET, CHUNK) if self._receiving() else (QUIET_BUDGET, QUIET_CHUNK)
            looked_at = 0

            def spent() -> bool:
                """CHUNK events are looked at whatever the budget; then until it is spent."""
                return looked_at >= CHUNK and time.perf_counter() - started >= budget

            while looked_at < min(len(ids), BATCH) and not spent():
                # A chunk at a time, its orders, sellers and accounts read together; the budget
                # is checked before each event (the rest of a chunk waits for the next batch).
                chunk = ids[looked_at : min(looked_at + size, BATCH)]
                found = {
                    event.id: event
                    for event in (
                        await session.scalars(select(InboxEvent).where(InboxEvent.id.in_(chunk)))
                    ).all()
                    if event.processed_at is None
                }
                envelopes = {
                    event_id: schemas.Envelope.model_validate(event.payload)
                    for event_id, event in found.items()
                }
                await _prefetch(session, envelopes.values())
                for event_id in chunk:
                    if spent():
                        break
                    looked_at += 1
                    event = found.get(event_id)
                    if event is None:
                        continue
                    envelope = envelopes[event_id]
                    subject = _order_of(envelope)
                    if subject in held or self._backing_off(event, now):
                        held.add(subject)  # its order's later events wait behind it
                        continue
                    await self._effects.apply(session, envelope, now)
                    event.processed_at = now
                    event.attempts += 1
                    event.error = None
                    done.append(event.type)
                    # What a chunk needs is in memory: without this, its events would run back
                    # to back without ever letting the loop answer a webhook or pace a send.
                    await asyncio.sleep(0)
            await enqueue_many(session, queue)
            await session.commit()
        for kind in done:
            metrics.EVENTS.labels(kind).inc()
        if done:
            self._on_notified()
        return len(done), looked_at

    async def _process_singly(self, ids: list[str], held: set[str]) -> int:
        settled = 0
        for event_id in ids:
            settled += await self._process_one(event_id, held)
        return settled

    @staticmethod
    def _backing_off(event: InboxEvent, now: datetime) -> bool:
        return bool(
            event.attempts and event.error and _backoff(event.attempts) > now - event.received_at
        )

    async def _process_one(self, event_id: str, held: set[str]) -> int:
        now = self._clock()
        async with self._db.transaction() as session:
            if not await self._lock(session):
                return 0
            event = await session.get(InboxEvent, event_id)
            if event is None or event.processed_at is not None:
                return 0
            envelope = schemas.Envelope.model_validate(event.payload)
            subject = _order_of(envelope)
            if subject in held or self._backing_off(event, now):
                held.add(subject)
                return 0
            try:
                async with session.begin_nested():
                    await self._effects.apply(session, envelope, now)
            except (MarketplaceError, ValueError) as exc:
                held.add(subject)
                event.attempts += 1
                event.error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("event %s (%s) failed: %s", event.id, event.type, event.error)
                await session.commit()
                return 0
            event.processed_at = now
            event.attempts += 1
            event.error = None
            await session.commit()
            metrics.EVENTS.labels(event.type).inc()
        self._on_notified()
        return 1


async def _prefetch(session: AsyncSession, envelopes: Iterable[schemas.Envelope]) -> None:
    """Load what a chunk of events touches (orders, sellers, accounts) in a few queries."""
    order_ids, seller_ids = set(), set()
    for envelope in envelopes:
        order_ids.add(_order_of(envelope))
        order = envelope.data.get("order")
        if isinstance(order, dict) and isinstance(order.get("seller_id"), str):
            seller_ids.add(order["seller_id"])
    await repositories.prefetch(session, order_ids=order_ids, seller_ids=seller_ids)


def _order_of(envelope: schemas.Envelope) -> str:
    """The order an event is about (its events are processed in order), or its own id."""
    data = envelope.data
    order = data.get("order")
    if isinstance(order, dict) and order.get("id"):
        return str(order["id"])
    message = data.get("message")
    if isinstance(message, dict) and message.get("order_id"):
        return str(message["order_id"])
    return str(data.get("order_id") or envelope.id)


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2**attempts), MAX_BACKOFF)
