"""Catching up with the marketplace after downtime.

Webhooks are retried by the marketplace for days, but one can still go missing. Every so often,
and at start, the bot asks the marketplace for each linked seller's orders changed since the last
look (``GET /v1/sellers/{id}/orders?updated_since=…``) and applies them like webhooks: a sale
nobody heard of is announced, a status changed elsewhere is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.delivery.notify import SellerDefaults, notify_seller
from bot.domain.lifecycle import Status
from bot.marketplace import Marketplace, MarketplaceError, MarketplaceUnavailable
from bot.sync.notices import SyncNotices
from bot.sync.replica import apply_remote_order
from storage.database import Database
from storage.models import Seller, TelegramAccount

log = logging.getLogger(__name__)

#: overlap with the previous look, so an order updated during it is not missed
OVERLAP = timedelta(minutes=5)
PAGE = 200


class Reconciler:
    def __init__(
        self,
        db: Database,
        marketplace: Marketplace,
        defaults: SellerDefaults,
        notices: SyncNotices,
        *,
        on_notified: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._marketplace = marketplace
        self._defaults = defaults
        self._notices = notices
        self._on_notified = on_notified
        self._clock = clock

    async def run(self, stop: asyncio.Event, every: float = 600.0) -> None:
        while not stop.is_set():
            try:
                await self.catch_up()
            except Exception:
                log.exception("reconciliation failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    async def catch_up(self) -> int:
        """Apply every order changed since each seller's last look; returns how many."""
        async with self._db.snapshot() as session:
            sellers = (
                await session.scalars(
                    select(Seller).where(
                        Seller.id.in_(
                            select(TelegramAccount.seller_id).where(
                                TelegramAccount.active.is_(True)
                            )
                        )
                    )
                )
            ).all()
        applied = 0
        for seller in sellers:
            try:
                applied += await self._seller(seller.id, seller.reconciled_at)
            except MarketplaceUnavailable as exc:
                log.warning("reconciliation paused, the marketplace is unavailable: %s", exc)
                break  # the next round starts over; the sellers done so far keep their mark
            except MarketplaceError as exc:
                log.warning("could not reconcile seller %s: %s", seller.id, exc)
        if applied:
            self._on_notified()
        return applied

    async def _seller(self, seller_id: str, since: datetime | None) -> int:
        started = self._clock()
        cursor: str | None = None
        applied = 0
        while True:
            orders, cursor = await self._marketplace.list_seller_orders(
                seller_id,
                updated_since=since - OVERLAP if since else None,
                cursor=cursor,
                limit=PAGE,
            )
            for remote in orders:
                async with self._db.transaction() as session:
                    result = await apply_remote_order(
                        session, remote, now=self._clock(), source="reconcile"
                    )
                    order = result.order
                    if result.created and order.status == Status.PROCESSED:
                        await notify_seller(
                            session,
                            order.seller_id,
                            functools.partial(self._notices.sale, order),
                            dedupe=f"sale:{order.id}",
                            defaults=self._defaults,
                        )
                    await session.commit()
                applied += 1
            if not cursor:
                break
        async with self._db.transaction() as session:
            seller = await session.get(Seller, seller_id)
            if seller is not None:
                seller.reconciled_at = started
                await session.commit()
        return applied
