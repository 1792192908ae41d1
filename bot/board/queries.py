"""What the board reads: the seller behind a Telegram account, open orders by need, one order.

Every read names the seller: an order of another seller is never loaded (there is no query here
that takes an order number alone). The list reads plain columns, not ORM objects, so a seller
with hundreds of open orders is answered in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.notify import Recipient, SellerDefaults, recipient_for
from bot.domain.board import (
    BOARD_STATUSES,
    NEED_ORDER,
    Need,
    end_of_local_day,
    need,
)
from bot.domain.lifecycle import Status
from bot.i18n import pick_locale
from bot.team.roles import Role
from storage import repositories
from storage.models import (
    HistoryEntry,
    MarketplaceOutbox,
    Order,
    OrderMessage,
    Seller,
    TelegramAccount,
)

#: the most orders one list answers with (a search narrows it down)
LIST_LIMIT = 1000
#: a status by its stored value, without the enum's slow constructor (500 rows per list)
STATUSES = {status.value: status for status in Status}
#: the seller's replies are the marketplace outbox rows of this kind
REPLY_KIND = "message"


class NotLinked(Exception):
    """The Telegram account is linked to no seller: the request gets 403."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """A linked account looking at the board, and how to speak to it."""

    user_id: int
    seller_id: str
    recipient: Recipient
    role: Role


@dataclass(slots=True)
class BoardRow:
    number: str
    status: Status
    need: Need
    ship_by: datetime | None
    deliver_by: datetime | None
    buyer_alias: str
    total: str
    currency: str
    buyer_waiting: bool

    def to_json(self) -> dict[str, Any]:
        # StrEnum members are strings: JSON writes their values without the enum's properties
        return {
            "number": self.number,
            "status": self.status,
            "ship_by": self.ship_by.isoformat() if self.ship_by else None,
            "deliver_by": self.deliver_by.isoformat() if self.deliver_by else None,
            "urgency": self.need,
            "buyer_waiting": self.buyer_waiting,
            "buyer": self.buyer_alias,
            "total": self.total,
            "currency": self.currency,
        }


#: an order, its Order Status History and its buyer conversation
OrderPage = tuple[Order, Sequence[HistoryEntry], list["Line"]]


@dataclass(frozen=True, slots=True)
class Line:
    """One message of the buyer conversation, oldest first."""

    at: datetime
    author: str
    text: str
    attachments: int


async def viewer(
    session: AsyncSession, user_id: int, telegram_language: str | None, defaults: SellerDefaults
) -> Viewer:
    found = (
        await session.execute(
            select(TelegramAccount, Seller)
            .outerjoin(Seller, Seller.id == TelegramAccount.seller_id)
            .where(TelegramAccount.user_id == user_id)
        )
    ).first()
    account, seller = found if found is not None else (None, None)
    if account is None or account.seller_id is None or not account.active:
        raise NotLinked(user_id)
    recipient = recipient_for(account, seller, defaults)
    if account.locale is None and account.telegram_locale is None and telegram_language:
        # Telegram signed the language it reports; it counts as the account's own.
        recipient = Recipient(
            pick_locale(None, telegram_language, recipient.locale), recipient.timezone
        )
    return Viewer(user_id, account.seller_id, recipient, Role.parse(account.role))


async def board(
    session: AsyncSession,
    seller_id: str,
    now: datetime,
    tz: str,
    *,
    q: str | None = None,
    status: Status | None = None,
) -> list[BoardRow]:
    """The seller's open orders (optionally searched or filtered), most urgent first."""
    statuses = [status.value] if status is not None else [s.value for s in BOARD_STATUSES]
    query = select(
        Order.id,
        Order.number,
        Order.status,
        Order.ship_by,
        Order.deliver_by,
        Order.delivered_at,
        Order.buyer_alias,
        Order.total,
        Order.currency,
        Order.id.in_(_waiting(seller_id)),
    ).where(
        Order.seller_id == seller_id,
        Order.status.in_(statuses),
        not_(and_(Order.status == Status.COMPLETE.value, Order.delivered_at.is_not(None))),
    )
    # Core rows: the ORM's row machinery would cost more than the query itself.
    rows = (await (await session.connection()).execute(query)).all()
    day_ends = end_of_local_day(now, tz)
    found = []
    wanted = q.strip().casefold() if q else None
    for _id, number, state, ship_by, deliver_by, delivered_at, alias, total, cur, waits in rows:
        status = STATUSES[state]
        # matched here, not in SQL: SQLite's lower() leaves Cyrillic as it is
        if wanted and not (number.startswith(wanted) or wanted in alias.casefold()):
            continue
        group = need(status, ship_by, delivered_at, now, day_ends)
        if group is None:
            continue
        found.append(
            BoardRow(
                number=number,
                status=status,
                need=group,
                ship_by=ship_by,
                deliver_by=deliver_by,
                buyer_alias=alias,
                total=total,
                currency=cur,
                buyer_waiting=bool(waits),
            )
        )
    rank = {group: n for n, group in enumerate(NEED_ORDER)}
    far = datetime.max.replace(tzinfo=now.tzinfo)
    found.sort(key=lambda r: (rank[r.need], r.ship_by or r.deliver_by or far, r.number))
    return found[:LIST_LIMIT]


def _waiting(seller_id: str) -> Select[tuple[str]]:
    """The seller's orders whose buyer wrote after the seller's last reply (the domain's
    :func:`~bot.domain.board.buyer_waiting`, in SQL so the list is one query)."""
    wrote = (
        select(OrderMessage.order_id, func.max(OrderMessage.sent_at).label("at"))
        .where(OrderMessage.seller_id == seller_id, OrderMessage.author == "buyer")
        .group_by(OrderMessage.order_id)
        .subquery()
    )
    answered = (
        select(MarketplaceOutbox.id)
        .where(
            MarketplaceOutbox.order_id == wrote.c.order_id,
            MarketplaceOutbox.kind == REPLY_KIND,
            MarketplaceOutbox.failed_at.is_(None),
            MarketplaceOutbox.created_at >= wrote.c.at,
        )
        .exists()
    )
    return select(wrote.c.order_id).where(~answered)


async def order_page(session: AsyncSession, seller_id: str, number: str) -> OrderPage | None:
    """The seller's order with its history and buyer conversation, or None."""
    order = await repositories.seller_order(session, seller_id, number)
    if order is None:
        return None
    history = await repositories.history(session, order.id)
    return order, history, await conversation(session, order.id)


async def conversation(session: AsyncSession, order_id: str) -> list[Line]:
    """The buyer's messages (masked when they arrived) and the seller's replies, by time."""
    lines = [
        Line(m.sent_at, m.author, m.text, m.attachments)
        for m in (
            await session.scalars(select(OrderMessage).where(OrderMessage.order_id == order_id))
        ).all()
    ]
    replies = await session.scalars(
        select(MarketplaceOutbox).where(
            MarketplaceOutbox.order_id == order_id,
            MarketplaceOutbox.kind == REPLY_KIND,
            MarketplaceOutbox.failed_at.is_(None),
        )
    )
    for row in replies.all():
        files = row.payload.get("attachments") or []
        lines.append(Line(row.created_at, "seller", str(row.payload.get("text") or ""), len(files)))
    lines.sort(key=lambda line: line.at)
    return lines
