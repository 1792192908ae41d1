"""Replica orders, sellers and accounts for the board's tests and benchmark, written straight
into the database (the board reads the replica; how orders got there is the sync's business)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from storage.database import Database
from storage.models import MarketplaceOutbox, Order, OrderMessage, Seller, TelegramAccount

#: the delivery options the rows use, as the sandbox marketplace describes them
DELIVERIES = {
    "econt": {"option": "econt_office", "label": "Econt, to an office", "carrier": "econt",
              "max_days": 3},
    "speedy": {"option": "speedy_address", "label": "Speedy, to an address", "carrier": "speedy",
               "max_days": 2},
    "bgpost": {"option": "bgpost", "label": "Bulgarian Posts", "carrier": "bgpost",
               "max_days": 5},
}  # fmt: skip


def order_row(
    seller_id: str,
    number: str,
    *,
    status: str = "PROCESSED",
    placed_at: datetime | None = None,
    ship_by: datetime | None = None,
    shipped_at: datetime | None = None,
    delivered_at: datetime | None = None,
    buyer: str = "buyer-1",
    carrier: str = "econt",
) -> dict[str, Any]:
    """One ``orders`` row, ready for a bulk insert."""
    placed = placed_at or datetime.now(UTC) - timedelta(days=1)
    return {
        "id": f"ord_{number}",
        "number": number,
        "seller_id": seller_id,
        "status": status,
        "placed_at": placed,
        "paid_at": placed,
        "currency": "BGN",
        "total": "59.90",
        "items": [
            {"sku": "SKU-1", "title": "Керамична чаша", "quantity": 2, "unit_price": "29.95"}
        ],
        "delivery": DELIVERIES[carrier],
        "preparation_days": 2,
        "ship_by": ship_by,
        "deliver_by": None,
        "buyer_alias": buyer,
        "ship_to": {"name": "Иван Петров", "line1": "ул. Шипка 1", "city": "София"},
        "shipped_at": shipped_at,
        "delivered_at": delivered_at,
        "completed_at": None,
        "created_at": placed,
        "updated_at": placed,
    }


async def add_sellers(db: Database, *seller_ids: str, timezone: str | None = None) -> None:
    """Shops (in ``timezone``; None: the default zone)."""
    async with db.transaction() as session:
        session.add_all(Seller(id=seller_id, timezone=timezone) for seller_id in seller_ids)
        await session.commit()


async def link(
    db: Database, user_id: int, seller_id: str | None, *, locale: str | None = None,
    role: str = "owner",
) -> None:  # fmt: skip
    """A Telegram account, linked to ``seller_id`` (None: known to the bot but linked to none)."""
    async with db.transaction() as session:
        session.add(
            TelegramAccount(
                user_id=user_id,
                chat_id=user_id,
                seller_id=seller_id,
                locale=locale,
                active=True,
                role=role,
                linked_at=datetime.now(UTC) if seller_id else None,
            )
        )
        await session.commit()


async def add_orders(db: Database, rows: Iterable[dict[str, Any]], batch: int = 5000) -> int:
    """Insert ``rows`` in batches; returns how many."""
    count = 0
    pending: list[dict[str, Any]] = []

    async def flush() -> None:
        async with db.transaction() as session:
            await session.execute(insert(Order), pending)
            await session.commit()
        pending.clear()

    for row in rows:
        pending.append(row)
        count += 1
        if len(pending) >= batch:
            await flush()
    if pending:
        await flush()
    return count


async def buyer_wrote(db: Database, seller_id: str, number: str, text: str, at: datetime) -> None:
    """A buyer message kept for the board, as the relay's hook keeps it."""
    async with db.transaction() as session:
        session.add(
            OrderMessage(
                id=f"msg_{number}_{int(at.timestamp())}",
                order_id=f"ord_{number}",
                seller_id=seller_id,
                author="buyer",
                text=text,
                attachments=0,
                sent_at=at,
            )
        )
        await session.commit()


async def seller_replied(db: Database, number: str, at: datetime, text: str = "Здравейте!") -> None:
    """The seller's answer to the buyer, as the relay queues it for the marketplace."""
    async with db.transaction() as session:
        session.add(
            MarketplaceOutbox(
                kind="message",
                order_id=f"ord_{number}",
                idempotency_key=f"message-{number}-{at.timestamp()}",
                payload={"number": number, "text": text, "attachments": []},
                next_attempt_at=at,
                created_at=at,
            )
        )
        await session.commit()
