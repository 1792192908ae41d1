"""Away mode: while the owner is away each buyer who writes gets the away message once per
conversation (order) per day, through the marketplace like any seller message.

``on_buyer_message`` runs inside the event's transaction: the away reply is a marketplace outbox
row of kind ``"message"`` whose ``Idempotency-Key`` names the order and the seller's local date,
so a second message that day, a replayed event or a second process queues nothing more.
The digest pauses while away (``bot.reminders.sweep``); sale notifications say "while you are
away" (``bot.sync.events``). :meth:`AwayMode.expire` ends it on its date and tells the seller.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.notify import Message, Recipient, SellerDefaults, notify_seller
from bot.domain.away import check_message, is_away, parse_until
from bot.domain.deadlines import local_date
from bot.marketplace import schemas
from bot.team.access import authorise
from bot.team.roles import Permission
from storage import repositories
from storage.database import Database
from storage.models import MarketplaceOutbox, Order, Seller


class AwayNotices(Protocol):
    def ended(self, until: date, to: Recipient) -> Message:
        """Away mode ended by itself on ``until``."""
        ...


@dataclass(frozen=True, slots=True)
class Away:
    until: date
    message: str


def away_today(seller: Seller | None, now: datetime, default_timezone: str) -> Away | None:
    """The seller's away mode, if it is on at ``now`` in the seller's own time zone."""
    if seller is None or seller.away_until is None or not seller.away_message:
        return None
    today = local_date(now, seller.timezone or default_timezone)
    return (
        Away(seller.away_until, seller.away_message) if is_away(seller.away_until, today) else None
    )


class AwayMode:
    def __init__(
        self,
        db: Database,
        defaults: SellerDefaults,
        notices: AwayNotices,
        *,
        wake_dispatcher: Callable[[], None] = lambda: None,
        on_notified: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._wall_clock = wall_clock
        self._defaults = defaults
        self._notices = notices
        self._wake = wake_dispatcher
        self._on_notified = on_notified
        #: what day it is for away mode (its calendar); tests set a controlled clock here
        self.clock = clock

    async def start(
        self, seller_id: str, until: str, message: str, *, actor_telegram_id: int | None
    ) -> Away:
        """Turn away mode on until ``until`` (raises AwayRefused, NotAllowed)."""
        text = check_message(message)
        async with self._db.transaction() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.MANAGE_AWAY)
            seller = await repositories.ensure_seller(session, seller_id)
            today = local_date(self.clock(), seller.timezone or self._defaults.timezone)
            seller.away_until = parse_until(until, today)
            seller.away_message = text
            await session.commit()
            return Away(seller.away_until, text)

    async def stop(self, seller_id: str, *, actor_telegram_id: int | None) -> bool:
        """Turn away mode off; whether it was on."""
        async with self._db.transaction() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.MANAGE_AWAY)
            seller = await repositories.ensure_seller(session, seller_id)
            was_on = away_today(seller, self.clock(), self._defaults.timezone) is not None
            seller.away_until = None
            seller.away_message = None
            await session.commit()
        return was_on

    async def current(self, seller_id: str) -> Away | None:
        async with self._db.snapshot() as session:
            seller = await repositories.seller(session, seller_id)
        return away_today(seller, self.clock(), self._defaults.timezone)

    async def on_buyer_message(
        self, session: AsyncSession, message: schemas.Message, order: Order
    ) -> None:
        """Queue the away message for this buyer, once per order per local day."""
        if message.author != "buyer":
            return
        now = self.clock()
        seller = await repositories.seller(session, order.seller_id)
        away = away_today(seller, now, self._defaults.timezone)
        if seller is None or away is None:
            return
        day = local_date(now, seller.timezone or self._defaults.timezone)
        row = MarketplaceOutbox(
            kind="message",
            order_id=order.id,
            idempotency_key=f"away-{order.id}-{day.isoformat()}",
            payload={
                "number": order.number,
                "text": away.message,
                "attachments": [],
                "uploaded": [],
                "notice": None,
            },
            attempts=0,
            # Due at once, by the dispatcher's clock, whatever day the calendar says.
            next_attempt_at=self._wall_clock(),
            created_at=self._wall_clock(),
        )
        if await repositories.add_once(session, row):
            self._wake()

    async def expire(self, now: datetime | None = None) -> int:
        """End every away mode whose date has come, and tell those sellers; returns how many."""
        now = now or self.clock()
        ended = 0
        async with self._db.transaction() as session:
            sellers = (
                await session.scalars(select(Seller).where(Seller.away_until.is_not(None)))
            ).all()
            for seller in sellers:
                until = seller.away_until
                today = local_date(now, seller.timezone or self._defaults.timezone)
                if until is None or is_away(until, today):
                    continue
                seller.away_until = None
                seller.away_message = None
                await notify_seller(
                    session,
                    seller.id,
                    functools.partial(self._notices.ended, until),
                    dedupe=f"away-ended:{seller.id}:{until.isoformat()}",
                    defaults=self._defaults,
                )
                ended += 1
            await session.commit()
        if ended:
            self._on_notified()
        return ended
