"""Reads and writes of the replica that more than one part of the bot needs.

Functions take the caller's session; they add and get, and never commit: the unit of work that
opened the session decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.lifecycle import FINAL_STATUSES, Status
from storage.models import HistoryEntry, MarketplaceOutbox, Order, Seller, TelegramAccount

OPEN_STATUSES = tuple(
    s.value for s in Status if s not in FINAL_STATUSES and s is not Status.COMPLETE
)


async def account(session: AsyncSession, user_id: int) -> TelegramAccount | None:
    return await session.get(TelegramAccount, user_id)


async def linked_account(session: AsyncSession, user_id: int) -> TelegramAccount | None:
    found = await session.get(TelegramAccount, user_id)
    return found if found is not None and found.seller_id is not None else None


#: what :func:`prefetch` loaded for a session, by kind and id (None: known not to exist)
_PREFETCHED = "prefetched"


def _prefetched(session: AsyncSession, kind: str) -> dict[str, Any]:
    return session.info.setdefault(_PREFETCHED, {}).setdefault(kind, {})


async def prefetch(
    session: AsyncSession, *, order_ids: Iterable[str], seller_ids: Iterable[str]
) -> None:
    """Load the orders, sellers and linked accounts a batch of events needs, in three queries.

    Later lookups of those in the same session (:func:`order`, :func:`seller`,
    :func:`ensure_seller`, :func:`seller_accounts`) are answered from memory, including "no
    such order". For a session that processes a batch of events, whose rows nothing else
    writes meanwhile (one process at a time processes events).
    """
    order_ids, seller_ids = set(order_ids), set(seller_ids)
    orders = _prefetched(session, "order")
    if order_ids:
        found = {
            o.id: o for o in await session.scalars(select(Order).where(Order.id.in_(order_ids)))
        }
        orders.update({order_id: found.get(order_id) for order_id in order_ids})
    if seller_ids:
        sellers = _prefetched(session, "seller")
        found_sellers = {
            s.id: s for s in await session.scalars(select(Seller).where(Seller.id.in_(seller_ids)))
        }
        sellers.update({seller_id: found_sellers.get(seller_id) for seller_id in seller_ids})
        accounts: dict[str, list[TelegramAccount]] = {seller_id: [] for seller_id in seller_ids}
        for linked in await session.scalars(
            _accounts_query(TelegramAccount.seller_id.in_(seller_ids))
        ):
            accounts[linked.seller_id or ""].append(linked)
        _prefetched(session, "accounts").update(accounts)


def remember_order(session: AsyncSession, order: Order) -> None:
    """A new order, added to the session: a prefetched "no such order" no longer holds."""
    orders = _prefetched(session, "order")
    if order.id in orders:
        orders[order.id] = order


async def seller(session: AsyncSession, seller_id: str) -> Seller | None:
    known = _prefetched(session, "seller")
    if seller_id in known:
        return known[seller_id]
    return await session.get(Seller, seller_id)


async def ensure_seller(session: AsyncSession, seller_id: str) -> Seller:
    found = await seller(session, seller_id)
    if found is None:
        found = Seller(id=seller_id)
        session.add(found)
        await session.flush()
        known = _prefetched(session, "seller")
        if seller_id in known:
            known[seller_id] = found
    return found


def _accounts_query(condition: Any) -> Any:
    return (
        select(TelegramAccount)
        .where(condition, TelegramAccount.active.is_(True))
        .order_by(TelegramAccount.linked_at, TelegramAccount.user_id)
    )


async def seller_accounts(session: AsyncSession, seller_id: str) -> Sequence[TelegramAccount]:
    """Every active Telegram account linked to the seller, oldest link first."""
    known = _prefetched(session, "accounts")
    if seller_id in known:
        return known[seller_id]
    result = await session.scalars(_accounts_query(TelegramAccount.seller_id == seller_id))
    return result.all()


async def first_names(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, str | None]:
    """The first names of these Telegram accounts, as Telegram last reported them."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(TelegramAccount.user_id, TelegramAccount.first_name).where(
            TelegramAccount.user_id.in_(wanted)
        )
    )
    return {user_id: name for user_id, name in rows}


async def order(session: AsyncSession, order_id: str) -> Order | None:
    known = _prefetched(session, "order")
    if order_id in known:
        return known[order_id]
    return await session.get(Order, order_id)


async def seller_order(
    session: AsyncSession, seller_id: str, number: str, *, for_update: bool = False
) -> Order | None:
    """The order with this number, only if it belongs to the seller.

    ``for_update`` locks its row until the transaction ends (PostgreSQL; SQLite's writer holds
    the whole database already), so two accounts changing one order take turns.
    """
    query = select(Order).where(Order.number == number, Order.seller_id == seller_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def open_orders(session: AsyncSession, seller_id: str, limit: int = 30) -> Sequence[Order]:
    result = await session.scalars(
        select(Order)
        .where(Order.seller_id == seller_id, Order.status.in_(OPEN_STATUSES))
        .order_by(Order.ship_by.is_(None), Order.ship_by, Order.placed_at)
        .limit(limit)
    )
    return result.all()


async def new_orders(session: AsyncSession, seller_id: str, limit: int = 50) -> Sequence[Order]:
    """The seller's sales not started yet (PROCESSED), oldest first."""
    result = await session.scalars(
        select(Order)
        .where(Order.seller_id == seller_id, Order.status == "PROCESSED")
        .order_by(Order.placed_at, Order.number)
        .limit(limit)
    )
    return result.all()


async def history(session: AsyncSession, order_id: str) -> Sequence[HistoryEntry]:
    result = await session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.order_id == order_id)
        .order_by(HistoryEntry.created_at, HistoryEntry.id)
    )
    return result.all()


async def last_seller_change(
    session: AsyncSession, order_id: str, status: str
) -> HistoryEntry | None:
    """The latest change to ``status`` that an account made through the bot, unless refused."""
    return await session.scalar(
        select(HistoryEntry)
        .where(
            HistoryEntry.order_id == order_id,
            HistoryEntry.status == status,
            HistoryEntry.source == "seller",
            HistoryEntry.sync_state != "refused",
        )
        .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
        .limit(1)
    )


async def pending_changes(session: AsyncSession, order_id: str) -> int:
    result = await session.scalars(
        select(HistoryEntry.id).where(
            HistoryEntry.order_id == order_id, HistoryEntry.sync_state == "pending"
        )
    )
    return len(result.all())


def append_history(
    session: AsyncSession,
    order: Order,
    *,
    status: str,
    source: str,
    sync_state: str,
    at: datetime,
    comment: str | None = None,
    tracking_number: str | None = None,
    carrier: str | None = None,
    resolution: str | None = None,
    actor_telegram_id: int | None = None,
) -> HistoryEntry:
    entry = HistoryEntry(
        order_id=order.id,
        status=status,
        comment=comment,
        tracking_number=tracking_number,
        carrier=carrier,
        resolution=resolution,
        source=source,
        actor_telegram_id=actor_telegram_id,
        sync_state=sync_state,
        created_at=at,
    )
    session.add(entry)
    return entry


async def add_once(session: AsyncSession, row: MarketplaceOutbox) -> bool:
    """Add a marketplace outbox row unless one with its key is queued already; whether it was.

    Another process may add the same key at the same moment: the key is unique, and the one
    that loses (in a savepoint) leaves the caller's transaction intact.
    """
    key = row.idempotency_key
    if await session.scalar(select(exists().where(MarketplaceOutbox.idempotency_key == key))):
        return False
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True
