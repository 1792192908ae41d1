"""The owner's saved replies: add, edit, reorder, delete (at most 20), and fill one in for an order.

Managing them needs the owner (``Permission.MANAGE_REPLIES``); using one is writing to a buyer
(``Permission.WRITE_TO_BUYERS``). A filled-in reply is masked like every message to a buyer,
so a value from the order (a buyer alias with a phone number in it) is hidden too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.masking import ContactKind, mask_contacts
from bot.domain.saved_replies import MAX_SAVED_REPLIES, check_reply, fill_reply
from bot.domain.tracking import CARRIER_NAMES
from bot.team.access import authorise
from bot.team.roles import Permission
from storage import repositories
from storage.database import Database
from storage.models import Order, SavedReply


class TooManyReplies(Exception):
    """The seller already has :data:`MAX_SAVED_REPLIES`."""


class ReplyNotFound(LookupError):
    """No saved reply with that id belongs to this seller (deleted, or another seller's), or no
    order with that number to fill it in for."""


@dataclass(frozen=True, slots=True)
class Saved:
    id: int
    position: int
    text: str


@dataclass(frozen=True, slots=True)
class Filled:
    """A saved reply filled in for one order, masked, as the buyer will read it."""

    number: str
    text: str
    hidden: frozenset[ContactKind]


class SavedReplies:
    def __init__(
        self,
        db: Database,
        default_timezone: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._timezone = default_timezone
        self._clock = clock

    async def all(
        self, seller_id: str, *, actor_telegram_id: int | None, use: bool = False
    ) -> list[Saved]:
        """The seller's replies in their order; ``use`` asks as a writer, not as the manager."""
        permission = Permission.WRITE_TO_BUYERS if use else Permission.MANAGE_REPLIES
        async with self._db.snapshot() as session:
            await authorise(session, actor_telegram_id, seller_id, permission)
            rows = await _rows(session, seller_id)
        return [Saved(row.id, row.position, row.text) for row in rows]

    async def add(self, seller_id: str, text: str, *, actor_telegram_id: int | None) -> Saved:
        """Save a new reply at the end; raises TemplateRefused or TooManyReplies."""
        checked = check_reply(text)
        now = self._clock()
        async with self._db.transaction() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.MANAGE_REPLIES)
            count = await session.scalar(
                select(func.count())
                .select_from(SavedReply)
                .where(SavedReply.seller_id == seller_id)
            )
            if (count or 0) >= MAX_SAVED_REPLIES:
                raise TooManyReplies(seller_id)
            row = SavedReply(
                seller_id=seller_id,
                position=count or 0,
                text=checked,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            await session.commit()
        return Saved(row.id, row.position, row.text)

    async def edit(
        self, seller_id: str, reply_id: int, text: str, *, actor_telegram_id: int | None
    ) -> Saved:
        checked = check_reply(text)
        async with self._db.transaction() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.MANAGE_REPLIES)
            row = await _row(session, seller_id, reply_id)
            row.text = checked
            row.updated_at = self._clock()
            await session.commit()
        return Saved(row.id, row.position, row.text)

    async def move(
        self, seller_id: str, reply_id: int, step: int, *, actor_telegram_id: int | None
    ) -> None:
        """Move a reply ``step`` places up (-1) or down (+1); at either end nothing moves."""
        async with self._db.transaction() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.MANAGE_REPLIES)
            rows = list(await _rows(session, seller_id))
            index = next((i for i, row in enumerate(rows) if row.id == reply_id), None)
            if index is None:
                raise ReplyNotFound(reply_id)
            other = index + step
            if 0 <= other < len(rows):
                rows[index], rows[other] = rows[other], rows[index]
            for position, row in enumerate(rows):
                row.position = position
            await session.commit()

    async def delete(self, seller_id: str, reply_id: int, *, actor_telegram_id: int | None) -> None:
        async with self._db.transaction() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.MANAGE_REPLIES)
            row = await _row(session, seller_id, reply_id)
            await session.delete(row)
            await session.flush()
            for position, rest in enumerate(await _rows(session, seller_id)):
                rest.position = position
            await session.commit()

    async def fill(
        self, seller_id: str, reply_id: int, number: str, *, actor_telegram_id: int | None
    ) -> Filled:
        """The reply filled in for order ``number`` and masked; raises TemplateRefused("missing")
        when the order lacks a value the reply names (no tracking number yet)."""
        async with self._db.snapshot() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.WRITE_TO_BUYERS)
            row = await _row(session, seller_id, reply_id)
            order = await repositories.seller_order(session, seller_id, number)
            if order is None:
                raise ReplyNotFound(number)
            seller = await repositories.seller(session, seller_id)
        zone = (seller.timezone if seller else None) or self._timezone
        masked = mask_contacts(fill_reply(row.text, _values(order, zone)))
        return Filled(order.number, masked.text, masked.kinds)


def _values(order: Order, zone: str) -> dict[str, str | None]:
    carrier = order.carrier or order.delivery.get("carrier")
    ship_by = order.ship_by.astimezone(ZoneInfo(zone)) if order.ship_by else None
    return {
        "order": order.number,
        "tracking": order.tracking_number,
        "carrier": CARRIER_NAMES.get(carrier or "", carrier),
        "ship_by": f"{ship_by:%d.%m.%Y}" if ship_by else None,
        "buyer": order.buyer_alias,
    }


async def _rows(session: AsyncSession, seller_id: str) -> list[SavedReply]:
    result = await session.scalars(
        select(SavedReply)
        .where(SavedReply.seller_id == seller_id)
        .order_by(SavedReply.position, SavedReply.id)
    )
    return list(result.all())


async def _row(session: AsyncSession, seller_id: str, reply_id: int) -> SavedReply:
    row = await session.get(SavedReply, reply_id)
    if row is None or row.seller_id != seller_id:
        raise ReplyNotFound(reply_id)
    return row
