"""Delivering the marketplace outbox: each queued change until the marketplace answers.

Rows are claimed by their owner under a lease (and ``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
so several processes share the work without doing any of it twice; a row whose process died is
given back as soon as its death is known (``bot.delivery.takeover``), or once the heartbeat of a
process that is stuck is too old, and re-sent with the same ``Idempotency-Key``. The lease only
brings back an owner's own rows that a failed delivery left claimed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from html import escape

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import metrics
from bot.delivery.takeover import claimable
from bot.delivery.telegram_outbox import enqueue
from bot.delivery.worker import Worker
from bot.domain.lifecycle import Status
from bot.i18n import translator
from bot.marketplace import (
    Marketplace,
    MarketplaceConflict,
    MarketplaceRejected,
    MarketplaceUnavailable,
)
from bot.marketplace.schemas import StatusChangeRequest
from bot.sync.replica import apply_remote_order, set_status
from storage import repositories
from storage.database import Database
from storage.models import HistoryEntry, MarketplaceOutbox, Order

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
#: A seller watches ⏳ until the change lands: once the marketplace is back, within a minute.
MAX_BACKOFF = timedelta(minutes=1)

#: Writes what the marketplace answered, inside the transaction that settles the row.
Record = Callable[[AsyncSession, MarketplaceOutbox, datetime], Awaitable[None]]
#: Talks to the marketplace for one row, with no transaction open, and returns how to record it.
#: Raises MarketplaceUnavailable to be tried again later with the same Idempotency-Key.
Deliver = Callable[[MarketplaceOutbox, datetime], Awaitable[Record]]


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Exponential with jitter, capped; never shorter than the marketplace's Retry-After."""
    base = min(2 ** min(attempts, 10), MAX_BACKOFF.total_seconds())
    delay = base * (0.5 + random.random() / 2)
    return timedelta(seconds=max(delay, retry_after or 0))


class MarketplaceDispatcher:
    def __init__(
        self,
        db: Database,
        marketplace: Marketplace,
        *,
        on_telegram_queued: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lease: timedelta = LEASE,
        kinds: Mapping[str, Deliver] | None = None,
        owner: str | None = None,
    ) -> None:
        """``kinds``: how rows of other kinds than ``status_change`` are delivered."""
        self._db = db
        self._lease = lease
        self.owner = owner
        self._marketplace = marketplace
        self._on_telegram_queued = on_telegram_queued
        self._clock = clock
        self._worker = Worker("marketplace_outbox", self.deliver_due)
        self.kinds: dict[str, Deliver] = {"status_change": self._status_change, **(kinds or {})}

    def wake(self) -> None:
        self._worker.wake()

    async def run(self, stop: asyncio.Event, idle: float = 2.0) -> None:
        await self._worker.run(stop, idle)

    async def _claim(self, limit: int) -> list[int]:
        now = self._clock()
        earlier = aliased(MarketplaceOutbox)
        # One change per order at a time, in the order the seller made them.
        has_earlier = exists().where(
            earlier.order_id == MarketplaceOutbox.order_id,
            earlier.id < MarketplaceOutbox.id,
            earlier.delivered_at.is_(None),
            earlier.failed_at.is_(None),
        )
        query = (
            select(MarketplaceOutbox)
            .where(
                MarketplaceOutbox.delivered_at.is_(None),
                MarketplaceOutbox.failed_at.is_(None),
                MarketplaceOutbox.next_attempt_at <= now,
                claimable(MarketplaceOutbox.claimed_by, self.owner),
                ~has_earlier,
            )
            .order_by(MarketplaceOutbox.id)
            .limit(limit)
        )
        if not self._db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        async with self._db.transaction() as session:
            rows = (await session.scalars(query)).all()
            for row in rows:
                row.next_attempt_at = now + self._lease
                row.claimed_by = self.owner
            await session.commit()
        return [row.id for row in rows]

    async def deliver_due(self, limit: int = 20) -> int:
        """Deliver what is due now; returns how many rows were settled."""
        claimed = await self._claim(limit)
        results = await asyncio.gather(*(self._deliver(row_id) for row_id in claimed))
        return sum(results)

    async def _deliver(self, row_id: int) -> int:
        # No transaction is open while the marketplace is called: a network call must not hold
        # the SQLite write lock (the built-in sandbox writes to the same database to answer).
        async with self._db.snapshot() as session:
            claimed = await session.get(MarketplaceOutbox, row_id)
        if claimed is None or claimed.delivered_at is not None or claimed.failed_at is not None:
            return 0
        if self.owner and claimed.claimed_by != self.owner:
            return 0  # taken over while this process was stuck: the new owner delivers it
        now = self._clock()
        record: Record | None = None
        waiting: MarketplaceUnavailable | None = None
        started = time.perf_counter()
        try:
            record = await self.kinds[claimed.kind](claimed, now)
        except MarketplaceUnavailable as exc:
            waiting = exc
        metrics.MARKETPLACE_SECONDS.labels(claimed.kind).observe(time.perf_counter() - started)
        async with self._db.transaction() as session:
            row = await session.get(MarketplaceOutbox, row_id)
            if row is None or row.delivered_at is not None or row.failed_at is not None:
                return 0
            row.attempts += 1
            row.claimed_by = None
            if waiting is not None or record is None:
                row.last_error = str(waiting)[:2000]
                retry_after = waiting.retry_after if waiting else None
                row.next_attempt_at = now + backoff(row.attempts, retry_after)
                log.info("outbox %s waits for the marketplace: %s", row.id, waiting)
                metrics.MARKETPLACE_DELIVERIES.labels(row.kind, "retry").inc()
                await session.commit()
                return 0
            await record(session, row, now)
            if row.failed_at is None:
                row.delivered_at = now
            outcome = "refused" if row.failed_at is not None else "delivered"
            metrics.MARKETPLACE_DELIVERIES.labels(row.kind, outcome).inc()
            await session.commit()
        self._on_telegram_queued()
        return 1

    async def _status_change(self, claimed: MarketplaceOutbox, now: datetime) -> Record:
        request = StatusChangeRequest.model_validate(claimed.payload["request"])
        try:
            remote = await self._marketplace.change_status(
                claimed.order_id, request, idempotency_key=claimed.idempotency_key
            )
        except MarketplaceConflict as exc:
            conflict = exc

            async def record_conflict(
                session: AsyncSession, row: MarketplaceOutbox, at: datetime
            ) -> None:
                order, entry = await self._subjects(session, row)
                self._refuse(entry, row, at, str(conflict))
                current = conflict.current_status or Status(row.payload["previous_status"])
                set_status(order, current, at)
                self._tell(session, row, "conflict", order.number, request.status, current)

            return record_conflict
        except MarketplaceRejected as exc:
            rejection = exc

            async def record_rejection(
                session: AsyncSession, row: MarketplaceOutbox, at: datetime
            ) -> None:
                order, entry = await self._subjects(session, row)
                self._refuse(entry, row, at, str(rejection))
                set_status(order, Status(row.payload["previous_status"]), at)
                self._tell(
                    session, row, "rejected", order.number, request.status, None, rejection.detail
                )

            return record_rejection

        async def record_synced(
            session: AsyncSession, row: MarketplaceOutbox, at: datetime
        ) -> None:
            order, entry = await self._subjects(session, row)
            entry.sync_state = "synced"
            entry.synced_at = at
            await session.flush()
            await apply_remote_order(session, remote, now=at)
            self._tell(session, row, "synced", order.number, request.status, None)

        return record_synced

    @staticmethod
    async def _subjects(
        session: AsyncSession, row: MarketplaceOutbox
    ) -> tuple[Order, HistoryEntry]:
        entry = await session.get(HistoryEntry, row.history_id) if row.history_id else None
        order = await repositories.order(session, row.order_id)
        if order is None or entry is None:
            raise LookupError(f"outbox row {row.id} points at a missing order or history entry")
        return order, entry

    @staticmethod
    def _refuse(entry: HistoryEntry, row: MarketplaceOutbox, now: datetime, error: str) -> None:
        entry.sync_state = "refused"
        entry.sync_error = error[:2000]
        row.failed_at = now
        row.last_error = error[:2000]

    def _tell(
        self,
        session: AsyncSession,
        row: MarketplaceOutbox,
        outcome: str,
        number: str,
        target: Status,
        current: Status | None,
        detail: str | None = None,
    ) -> None:
        """Edit the seller's confirmation message to say what the marketplace answered."""
        notice = row.payload.get("notice")
        if not notice:
            return
        _ = translator(notice["locale"])
        if outcome == "synced":
            text = _("✅ Order {number} is {status} at the marketplace.")
        elif outcome == "conflict":
            text = _(
                "⛔ The marketplace did not accept {status} for order {number}: "
                "it is {current} there. The order now shows {current}."
            )
        else:
            text = _("⛔ The marketplace refused {status} for order {number}: {detail}")
        body = text.format(
            number=number,
            status=target.value,
            current=current.value if current else "",
            detail=detail or "",
        )
        params = {
            "chat_id": notice["chat_id"],
            "message_id": notice["message_id"],
            "text": escape(body),
            "parse_mode": "HTML",
        }
        if outcome == "synced" and notice.get("markup"):
            params["reply_markup"] = notice["markup"]
        enqueue(
            session,
            notice["chat_id"],
            "editMessageText",
            params,
            dedupe_key=f"outbox-notice:{row.id}",
        )
