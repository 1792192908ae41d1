"""The seller's status changes: checked, stored locally and queued for the marketplace at once.

A change is committed together with its outbox row in one transaction; the dispatcher delivers it
with the same ``Idempotency-Key`` however often it has to try, so the marketplace applies it once.

The acting account's role is checked here (``bot.team``), in the same transaction, so commands,
buttons and the Mini App obey the same rules. The order's row is locked while it is checked and
changed, so when two accounts change one order at once exactly one change is queued, and the
other learns who was first (:class:`ChangedByTeammate`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.lifecycle import Status, StatusChange, TransitionRefused, check_transition
from bot.marketplace.schemas import StatusChangeRequest
from bot.sync.replica import set_status
from bot.team.access import NotAMember, authorise
from bot.team.roles import Permission, permission_for
from storage import repositories
from storage.database import Database
from storage.models import HistoryEntry, MarketplaceOutbox, Order, TelegramAccount


class OrderNotFound(LookupError):
    """No order with that number belongs to this seller."""


class ChangedByTeammate(TransitionRefused):
    """Another account of the team changed the order first; ``actor_name`` is their first name."""

    def __init__(self, refusal: TransitionRefused, actor_name: str | None) -> None:
        super().__init__(refusal.reason, refusal.current, refusal.target)
        self.actor_name = actor_name


@dataclass(frozen=True, slots=True)
class Notice:
    """The Telegram message that confirmed a change; edited once the marketplace answers."""

    chat_id: int
    message_id: int
    locale: str
    #: Bot API inline keyboard kept on the message when the marketplace accepts (the next step)
    markup: dict[str, Any] | None = None


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

    async def find(
        self, seller_id: str, number: str, *, actor_telegram_id: int | None = None
    ) -> Order:
        async with self._db.snapshot() as session:
            return await permitted_order(
                session, seller_id, number, Permission.SEE_ORDERS, actor_telegram_id
            )

    async def check(
        self, seller_id: str, number: str, target: Status, *, actor_telegram_id: int | None = None
    ) -> Order:
        """The order, if the account may move it to ``target`` now (raises otherwise).

        Raises :class:`OrderNotFound`, :class:`bot.team.roles.NotAllowed`,
        :class:`TransitionRefused` or its :class:`ChangedByTeammate`.
        """
        async with self._db.snapshot() as session:
            order = await permitted_order(
                session, seller_id, number, permission_for(target), actor_telegram_id
            )
            await _check_transition(session, order, target, actor_telegram_id)
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
            order = await permitted_order(
                session,
                seller_id,
                number,
                permission_for(change.status),
                actor_telegram_id,
                for_update=True,
            )
            previous = Status(order.status)
            await _check_transition(session, order, change.status, actor_telegram_id)
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

    async def snooze(
        self,
        seller_id: str,
        number: str,
        until: datetime,
        *,
        actor_telegram_id: int | None = None,
    ) -> Order:
        async with self._db.transaction() as session:
            order = await permitted_order(
                session, seller_id, number, Permission.SEE_ORDERS, actor_telegram_id
            )
            order.snoozed_until = until
            await session.commit()
        return order


async def permitted_order(
    session: AsyncSession,
    seller_id: str,
    number: str,
    permission: Permission,
    actor_telegram_id: int | None,
    *,
    for_update: bool = False,
) -> Order:
    """The seller's order ``number``, if the account may do ``permission`` with it.

    An account outside the seller's team sees no such order (:class:`OrderNotFound`, as for an
    unknown number); a teammate without the permission gets :class:`bot.team.roles.NotAllowed`.
    """
    try:
        await authorise(session, actor_telegram_id, seller_id, permission)
    except NotAMember:
        raise OrderNotFound(number) from None
    order = await repositories.seller_order(session, seller_id, number, for_update=for_update)
    if order is None:
        raise OrderNotFound(number)
    return order


async def _check_transition(
    session: AsyncSession, order: Order, target: Status, actor_telegram_id: int | None
) -> None:
    """The life cycle's check; a refusal names the teammate whose change came first."""
    try:
        check_transition(Status(order.status), target)
    except TransitionRefused as refusal:
        entry = await repositories.last_seller_change(session, order.id, order.status)
        if entry is None or entry.actor_telegram_id in (None, actor_telegram_id):
            raise
        account = await session.get(TelegramAccount, entry.actor_telegram_id)
        raise ChangedByTeammate(refusal, account.first_name if account else None) from None


def _notice_json(notice: Notice | None) -> dict[str, object] | None:
    if notice is None:
        return None
    return {
        "chat_id": notice.chat_id,
        "message_id": notice.message_id,
        "locale": notice.locale,
        "markup": notice.markup,
    }
