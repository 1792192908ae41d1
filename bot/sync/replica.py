"""Keeping the local replica of an order in step with the marketplace, the system of record.

Webhooks may arrive late, twice or out of order, so an older version of an order never
overwrites a newer one, and the status of an order with a change still on its way to the
marketplace is left to that change's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import deadlines
from bot.domain.lifecycle import Status
from bot.marketplace import schemas
from storage import repositories
from storage.models import Order


@dataclass(frozen=True, slots=True)
class Applied:
    order: Order
    created: bool
    previous_status: Status | None

    @property
    def status_changed(self) -> bool:
        return self.previous_status is not None and self.previous_status != self.order.status


def _fill(order: Order, remote: schemas.Order) -> None:
    order.number = remote.number
    order.seller_id = remote.seller_id
    order.placed_at = remote.placed_at
    order.paid_at = remote.paid_at
    order.currency = remote.currency
    order.total = remote.total
    order.items = [item.model_dump(mode="json") for item in remote.items]
    order.delivery = remote.delivery.model_dump(mode="json")
    order.preparation_days = remote.preparation_days
    order.ship_by = deadlines.ship_by(
        marketplace_ship_by=remote.ship_by,
        paid_at=remote.paid_at,
        placed_at=remote.placed_at,
        preparation_days=remote.preparation_days,
    )
    # The marketplace sets no length on an alias; the column holds 100 (and shows far fewer).
    order.buyer_alias = remote.buyer.alias[:100]
    order.ship_to = remote.ship_to.model_dump(mode="json") if remote.ship_to else None
    if remote.tracking_number:
        order.tracking_number = remote.tracking_number
    if remote.delivered_at:
        order.delivered_at = remote.delivered_at
    if remote.return_window_ends_at:
        order.return_window_ends_at = remote.return_window_ends_at
    order.remote_updated_at = remote.updated_at


def set_status(order: Order, status: Status, at: datetime) -> None:
    """Move the replica to ``status`` and stamp the moments the deadlines are computed from."""
    order.status = status.value
    order.updated_at = at
    if status is Status.SHIPPED:
        order.shipped_at = order.shipped_at or at
        order.deliver_by = deadlines.deliver_by(order.shipped_at, int(order.delivery["max_days"]))
    elif status is Status.COMPLETE:
        order.completed_at = order.completed_at or at
    elif status is Status.REFUNDED and order.return_requested_at is not None:
        order.return_answered_at = order.return_answered_at or at


def _record_remote(
    session: AsyncSession, order: Order, remote: schemas.Order, source: str, now: datetime
) -> None:
    """The remote status in the Order Status History, as the marketplace reported it."""
    repositories.append_history(
        session,
        order,
        status=remote.status.value,
        source=source,
        sync_state="remote",
        at=remote.updated_at or now,
        tracking_number=remote.tracking_number,
    )


async def apply_remote_order(
    session: AsyncSession, remote: schemas.Order, *, now: datetime, source: str = "marketplace"
) -> Applied:
    """Create or refresh the replica from the marketplace's order document."""
    await repositories.ensure_seller(session, remote.seller_id)
    order = await repositories.order(session, remote.id)
    if order is None:
        order = Order(id=remote.id, status=remote.status.value, created_at=now, updated_at=now)
        _fill(order, remote)
        set_status(order, remote.status, now)
        # Not flushed here: a batch of events writes its new orders in one statement (the unit
        # of work inserts them before the rows that refer to them).
        session.add(order)
        repositories.remember_order(session, order)
        if remote.status is not Status.PROCESSED:
            _record_remote(session, order, remote, source, now)
        return Applied(order, created=True, previous_status=None)

    previous = Status(order.status)
    stale = (
        remote.updated_at is not None
        and order.remote_updated_at is not None
        and remote.updated_at < order.remote_updated_at
    )
    if stale:
        return Applied(order, created=False, previous_status=previous)
    _fill(order, remote)
    order.updated_at = now
    if remote.status is not previous and not await repositories.pending_changes(session, order.id):
        set_status(order, remote.status, remote.updated_at or now)
        _record_remote(session, order, remote, source, now)
    return Applied(order, created=False, previous_status=previous)
