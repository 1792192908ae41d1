"""Processing stored marketplace events: update the replica and queue the seller's notifications.

Each event is processed in one transaction together with the notifications it causes, so a
crash either leaves the event pending (it is processed again) or done with its messages queued.
Notifications carry dedupe keys, so a replayed event never notifies twice. Before each event
the processor gives way (``make_way``) to whatever must not wait on it: receiving webhooks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.delivery.notify import Message, Recipient, Render, SellerDefaults, notify_seller
from bot.delivery.worker import Worker
from bot.domain.lifecycle import Status
from bot.marketplace import Marketplace, MarketplaceError, schemas
from bot.sync.notices import SyncNotices
from bot.sync.replica import apply_remote_order
from bot.team.away import away_today
from storage import repositories
from storage.database import Database
from storage.models import InboxEvent, Order

log = logging.getLogger(__name__)

BuyerMessageHook = Callable[[AsyncSession, schemas.Message, Order], Awaitable[None]]
MAX_BACKOFF = timedelta(minutes=10)


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
        on_buyer_message: BuyerMessageHook | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._make_way = make_way
        self._marketplace = marketplace
        self._defaults = defaults
        self._notices = notices
        self._on_notified = on_notified
        self._clock = clock
        self._worker = Worker("events", self.process_pending)
        self._on_buyer_message = on_buyer_message

    def wake(self) -> None:
        self._worker.wake()

    async def run(self, stop: asyncio.Event, idle: float = 5.0) -> None:
        await self._worker.run(stop, idle)

    async def process_pending(self, limit: int = 50) -> int:
        """Process due events oldest first; returns how many were settled."""
        async with self._db.snapshot() as session:
            ids = (
                await session.scalars(
                    select(InboxEvent.id)
                    .where(InboxEvent.processed_at.is_(None))
                    .order_by(InboxEvent.received_at, InboxEvent.id)
                    .limit(limit)
                )
            ).all()
        settled = 0
        for event_id in ids:
            if self._make_way is not None:
                await self._make_way()
            settled += await self._process_one(event_id)
        return settled

    async def _process_one(self, event_id: str) -> int:
        now = self._clock()
        async with self._db.transaction() as session:
            query = select(InboxEvent).where(InboxEvent.id == event_id)
            if not self._db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            event = await session.scalar(query)
            if event is None or event.processed_at is not None:
                return 0
            if (
                event.attempts
                and event.error
                and _backoff(event.attempts) > now - event.received_at
            ):
                return 0
            try:
                async with session.begin_nested():
                    await self._apply(session, event, now)
            except (MarketplaceError, ValueError) as exc:
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

    async def _apply(self, session: AsyncSession, event: InboxEvent, now: datetime) -> None:
        envelope = schemas.Envelope.model_validate(event.payload)
        data = envelope.parsed_data()
        if isinstance(data, schemas.OrderEventData):
            await self._order_event(session, envelope, data.order, now)
        elif isinstance(data, schemas.DeliveryVerifiedData):
            await self._delivery_verified(session, data, now)
        elif isinstance(data, schemas.ReturnRequestedData):
            await self._return_requested(session, envelope, data, now)
        elif isinstance(data, schemas.MessageCreatedData):
            order = await self._known_order(session, data.message.order_id, now)
            if self._on_buyer_message is not None and data.message.author != "seller":
                await self._on_buyer_message(session, data.message, order)
        else:
            log.info("event %s of unknown type %s stored and skipped", envelope.id, envelope.type)

    async def _known_order(self, session: AsyncSession, order_id: str, now: datetime) -> Order:
        order = await repositories.order(session, order_id)
        if order is None:
            remote = await self._marketplace.get_order(order_id)
            order = (await apply_remote_order(session, remote, now=now)).order
        return order

    async def _order_event(
        self,
        session: AsyncSession,
        envelope: schemas.Envelope,
        remote: schemas.Order,
        now: datetime,
    ) -> None:
        applied = await apply_remote_order(session, remote, now=now)
        order = applied.order
        if envelope.type == "order.processed" or (applied.created and order.status == "PROCESSED"):
            seller = await repositories.seller(session, order.seller_id)
            away = away_today(seller, now, self._defaults.timezone)
            until = away.until if away else None
            await self._notify(
                session,
                order,
                f"sale:{order.id}",
                lambda to: self._notices.sale(order, to, away_until=until),
            )
        if applied.status_changed:
            status = Status(order.status)
            await self._notify(
                session,
                order,
                f"status:{order.id}:{status}:{envelope.id}",
                lambda to: self._notices.status_changed(order, status, to),
            )

    async def _delivery_verified(
        self, session: AsyncSession, data: schemas.DeliveryVerifiedData, now: datetime
    ) -> None:
        order = await self._known_order(session, data.order_id, now)
        order.delivered_at = data.delivered_at
        order.return_window_ends_at = data.return_window_ends_at
        order.updated_at = now

        def render(to: Recipient) -> Message:
            return self._notices.delivery_verified(
                order, data.delivered_at, data.return_window_ends_at, to
            )

        await self._notify(session, order, f"verified:{order.id}", render)

    async def _return_requested(
        self,
        session: AsyncSession,
        envelope: schemas.Envelope,
        data: schemas.ReturnRequestedData,
        now: datetime,
    ) -> None:
        order = await self._known_order(session, data.order_id, now)
        order.return_requested_at = (
            envelope.created_at.astimezone(UTC) if envelope.created_at.tzinfo else now
        )
        order.return_kind = data.kind.value
        order.return_reason = data.reason
        order.return_answered_at = None

        def render(to: Recipient) -> Message:
            return self._notices.return_requested(order, data.kind.value, data.reason, to)

        await self._notify(session, order, f"return:{envelope.id}", render)

    async def _notify(
        self,
        session: AsyncSession,
        order: Order,
        dedupe: str,
        render: Render,
    ) -> None:
        await notify_seller(
            session, order.seller_id, render, dedupe=dedupe, defaults=self._defaults
        )


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2**attempts), MAX_BACKOFF)
