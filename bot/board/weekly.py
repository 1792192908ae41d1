"""The weekly performance card: on the first day of each week, at the seller's reminder hour.

:meth:`WeeklyCards.sweep` runs with the reminder sweep (every few minutes, in every process).
A seller is due on the first local day of their week (Monday in Bulgaria; where the shop is
says which, :func:`~bot.presentation.formatting.first_week_day`) from their reminder hour on, if
the card is switched on in /settings and the week just ended had orders (placed in it, or due in
it). The card is claimed by
inserting the (seller, week) record in the same transaction as the photo messages, so it goes
out at most once a week whatever the number of processes or sweeps.

The photo is drawn when the Telegram outbox sends it (:func:`with_cards`), in a worker thread:
the queued row carries the figures and texts, never the picture.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.board.card import CARD_KIND, Card, card_for, draw
from bot.board.performance import weeks_ending
from bot.board.performance_page import duration, percent
from bot.delivery.notify import SellerDefaults, recipient_for
from bot.delivery.outbox_claims import SUMMARY
from bot.delivery.telegram_outbox import LoadAttachment, LoadedAttachment, enqueue
from bot.domain.board import Week, week_bounds, week_start
from bot.i18n import translator
from bot.presentation.formatting import first_week_day
from bot.presentation.views import Reader
from storage import repositories
from storage.database import Database
from storage.models import Order, Seller, TelegramAccount, WeeklyCard

log = logging.getLogger(__name__)


def due_week(now: datetime, tz: str, hour: int, first_day: int) -> date | None:
    """The first local day of the week just ended, if the card about it is due at ``now``
    (weeks begin on ``first_day``, 0 Monday … 6 Sunday)."""
    local = now.astimezone(ZoneInfo(tz))
    if local.weekday() != first_day or local.hour < hour:
        return None
    return week_start(now, tz, first_day=first_day) - timedelta(weeks=1)


class WeeklyCards:
    def __init__(
        self,
        db: Database,
        defaults: SellerDefaults,
        *,
        on_queued: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._defaults = defaults
        self._on_queued = on_queued
        self._clock = clock

    async def sweep(self, now: datetime | None = None) -> int:
        """Queue the card for every due seller; returns how many sellers got one."""
        now = now or self._clock()
        sent = 0
        for seller_id, tz, first in await self._due(now):
            if await self._send(seller_id, tz, first, now):
                sent += 1
        if sent:
            log.info("weekly card queued for %d sellers", sent)
            self._on_queued()
        return sent

    async def _due(self, now: datetime) -> list[tuple[str, str, date]]:
        zone = func.coalesce(Seller.timezone, self._defaults.timezone)
        hour = func.coalesce(Seller.reminder_hour, self._defaults.reminder_hour)
        async with self._db.snapshot() as session:
            rows = (
                await session.execute(
                    select(Seller.id, zone, hour).where(
                        Seller.weekly_card_enabled.is_(True),
                        select(TelegramAccount.user_id)
                        .where(
                            TelegramAccount.seller_id == Seller.id,
                            TelegramAccount.active.is_(True),
                        )
                        .exists(),
                    )
                )
            ).all()
            due = []
            for seller_id, tz, reminder_hour in rows:
                first_day = first_week_day(str(tz), self._defaults.locale)
                first = due_week(now, str(tz), int(reminder_hour), first_day)
                if first is not None:
                    due.append((str(seller_id), str(tz), first))
            if not due:
                return []
            done = set(
                (
                    await session.execute(
                        select(WeeklyCard.seller_id, WeeklyCard.week_start).where(
                            WeeklyCard.seller_id.in_([d[0] for d in due])
                        )
                    )
                ).all()
            )
        return [(s, tz, first) for s, tz, first in due if (s, first) not in done]

    async def _send(self, seller_id: str, tz: str, first: date, now: datetime) -> bool:
        start, end = week_bounds(first, tz)
        async with self._db.snapshot() as session:
            weeks = await weeks_ending(session, seller_id, tz, first)
            placed = await session.scalar(
                select(func.count())
                .select_from(Order)
                .where(
                    Order.seller_id == seller_id, Order.placed_at >= start, Order.placed_at < end
                )
            )
        if not placed and not weeks[-1].due:
            return False  # no orders that week: no card
        dialect = sqlite if self._db.is_sqlite else postgresql
        claim = (
            dialect.insert(WeeklyCard)
            .values(seller_id=seller_id, week_start=first, sent_at=now)
            .on_conflict_do_nothing()
            .returning(WeeklyCard.seller_id)
        )
        async with self._db.transaction() as session:
            if (await session.execute(claim)).scalar() is None:
                return False  # another sweep sent it
            seller = await repositories.seller(session, seller_id)
            for account in await repositories.seller_accounts(session, seller_id):
                reader = Reader.of(recipient_for(account, seller, self._defaults))
                card = card_for(weeks, reader.locale, translator(reader.locale))
                enqueue(
                    session,
                    account.chat_id,
                    "sendPhoto",
                    {"chat_id": account.chat_id, "caption": caption(card, weeks, reader)},
                    dedupe_key=f"weekly:{seller_id}:{first.isoformat()}:{account.chat_id}",
                    attachment={
                        "kind": CARD_KIND,
                        "card": card.to_json(),
                        "filename": f"week-{first.isoformat()}.png",
                        "as": "photo",
                    },
                    coalesce=(SUMMARY, {}),
                )
            await session.commit()
        return True


def caption(card: Card, weeks: list[Week], reader: Reader) -> str:
    """The photo's caption: the verdict and last week's three figures in words."""
    _ = reader._
    last = weeks[-1]
    figures_line = _("Your week in numbers: on time {rate}, late {late}, first answer {reply}.")
    return "\n".join(
        [
            card.title,
            card.verdict,
            figures_line.format(
                rate=percent(last.on_time_rate),
                late=last.late,
                reply=duration(last.first_reply_seconds, _),
            ),
        ]
    )


def with_cards(load: LoadAttachment) -> LoadAttachment:
    """The outbox's attachment loader, drawing weekly cards and passing the rest to ``load``."""

    async def loader(attachment: Mapping[str, Any]) -> LoadedAttachment:
        if attachment.get("kind") == CARD_KIND:
            card = Card.from_json(dict(attachment["card"]))
            return LoadedAttachment(await asyncio.to_thread(draw, card))
        return await load(attachment)

    return loader
