"""What a marketplace event does: the replica updated, and the seller told.

Called by :class:`bot.sync.events.EventProcessor` inside the transaction that settles the event,
so the notifications it queues are committed together with it. ``queue``, when the processor
sets it, collects a batch's notifications to be written in one statement.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.notify import (
    SALE_NOTICE,
    Message,
    Recipient,
    Render,
    SellerDefaults,
    notify_seller,
    sale_summary,
)
from bot.domain.lifecycle import Status
from bot.marketplace import Marketplace, schemas
from bot.sync.notices import SyncNotices
from bot.sync.replica import apply_remote_order
from bot.team.away import away_today
from storage import repositories
from storage.models import Order

log = logging.getLogger(__name__)

BuyerMessageHook = Callable[[AsyncSession, schemas.Message, Order], Awaitable[None]]


class EventEffects:
    def __init__(
        self,
        marketplace: Marketplace,
        defaults: SellerDefaults,
        notices: SyncNotices,
        on_buyer_message: BuyerMessageHook | None = None,
    ) -> None:
        self._marketplace = marketplace
        self._defaults = defaults
        self._notices = notices
        self._on_buyer_message = on_buyer_message
        #: notifications of the batch being processed, written together before it commits
        self.queue: list[dict[str, Any]] | None = None

    async def apply(self, session: AsyncSession, envelope: schemas.Envelope, now: datetime) -> None:
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
                coalesce=(
                    SALE_NOTICE,
                    sale_summary(
                        order.number, order.total, order.currency, order.ship_by, away_until=until
                    ),
                ),
                fresh=applied.created,
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
        coalesce: tuple[str, dict[str, Any]] | None = None,
        fresh: bool = False,
    ) -> None:
        await notify_seller(
            session,
            order.seller_id,
            render,
            dedupe=dedupe,
            defaults=self._defaults,
            coalesce=coalesce,
            fresh=fresh,
            queue=self.queue,
        )
