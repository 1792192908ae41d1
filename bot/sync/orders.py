"""The seller's status changes: checked, stored locally and queued for the marketplace at once.

A change is committed together with its outbox row in one transaction; the dispatcher delivers it
with the same ``Idempotency-Key`` however often it has to try, so the marketplace applies it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.domain.lifecycle import Status, StatusChange, check_transition
from bot.marketplace.schemas import StatusChangeRequest
from bot.sync.replica import set_status
from storage import repositories
from storage.database import Database
from storage.models import HistoryEntry, MarketplaceOutbox, Order


class OrderNotFound(LookupError):
    """No order with that number belongs to this seller."""


@dataclass(frozen=True, slots=True)
class Notice:
    """The Telegram message that confirmed a change; edited once the marketplace answers."""

    chat_id: int
    message_id: int
    locale: str


@dataclass(frozen=True, slots=True)
class Saved:
    order: Order
    entry: HistoryEntry


class OrderService:
    def __init__(
        self,
        db: Database,
        *,
        wake_dispatcher: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._wake = wake_dispatcher
        self._clock = clock

    async def find(self, seller_id: str, number: str) -> Order:
        async with self._db.snapshot() as session:
            order = await repositories.seller_order(session, seller_id, number)
        if order is None:
            raise OrderNotFound(number)
        return order

    async def check(self, seller_id: str, number: str, target: Status) -> Order:
        """The order, if the seller may move it to ``target`` now (raises otherwise)."""
        order = await self.find(seller_id, number)
        check_transition(Status(order.status), target)
        return order

    async def change_status(
        self,
        seller_id: str,
        number: str,
        change: StatusChange,
        *,
        actor_telegram_id: int | None,
        notice: Notice | None = None,
    ) -> Saved:
        """Apply ``change`` to the replica and queue it for the marketplace, in one transaction."""
        now = self._clock()
        async with self._db.transaction() as session:
            order = await repositories.seller_order(session, seller_id, number)
            if order is None:
                raise OrderNotFound(number)
            previous = Status(order.status)
            check_transition(previous, change.status)
            comment = change.history_comment()
            entry = repositories.append_history(
                session,
                order,
                status=change.status.value,
                source="seller",
                sync_state="pending",
                at=now,
                comment=comment,
                tracking_number=change.tracking_number,
                carrier=change.carrier,
                resolution=change.resolution.value if change.resolution else None,
                actor_telegram_id=actor_telegram_id,
            )
            if change.tracking_number:
                order.tracking_number = change.tracking_number
                order.carrier = change.carrier
            set_status(order, change.status, now)
            await session.flush()
            request = StatusChangeRequest(
                status=change.status,
                comment=comment,
                tracking_number=change.tracking_number,
                carrier=change.carrier,
                resolution=change.resolution,
            )
            session.add(
                MarketplaceOutbox(
                    kind="status_change",
                    order_id=order.id,
                    history_id=entry.id,
                    idempotency_key=f"status-{uuid.uuid4()}",
                    payload={
                        "request": request.to_json(),
                        "previous_status": previous.value,
                        "notice": _notice_json(notice),
                    },
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            await session.commit()
        self._wake()
        return Saved(order, entry)

    async def snooze(self, seller_id: str, number: str, until: datetime) -> Order:
        async with self._db.transaction() as session:
            order = await repositories.seller_order(session, seller_id, number)
            if order is None:
                raise OrderNotFound(number)
            order.snoozed_until = until
            await session.commit()
        return order


def _notice_json(notice: Notice | None) -> dict[str, object] | None:
    if notice is None:
        return None
    return {"chat_id": notice.chat_id, "message_id": notice.message_id, "locale": notice.locale}
