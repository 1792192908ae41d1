"""The daily digest of stalled orders, once per seller per local day at the seller's own hour.

The sweep is a handful of indexed queries, not a walk over every order: which (time zone, hour)
groups of sellers are due now, then the candidate orders of those sellers whose deadlines match
the stall rules, then the domain's :func:`stall_reasons` on just those rows. Each seller's digest
is claimed by inserting its (seller, local date) record in the same transaction as the messages;
a record that already exists means another sweep or process sent it, so nothing goes twice.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.deadlines import (
    DEFAULT_THRESHOLDS,
    OrderClock,
    StallReason,
    StallThresholds,
    local_date,
    stall_reasons,
)
from bot.domain.lifecycle import FINAL_STATUSES, Status
from bot.i18n import pick_locale, translator
from bot.notify import Defaults, message_params
from bot.telegram_outbox import enqueue_many, outbox_row
from handlers.callback_data import Action, OrderCallback
from handlers.views import Reader
from storage.database import Database
from storage.models import DigestRecord, Order, Seller, TelegramAccount

log = logging.getLogger(__name__)

MAX_LISTED = 10
_BATCH = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_COLUMNS = (
    Order.seller_id,
    Order.number,
    Order.status,
    Order.placed_at,
    Order.paid_at,
    Order.ship_by,
    Order.deliver_by,
    Order.shipped_at,
    Order.completed_at,
    Order.delivered_at,
    Order.return_requested_at,
    Order.return_answered_at,
    Order.snoozed_until,
)


@dataclass(slots=True)
class Stalled:
    """One seller's stalled orders: how many in all, and the listed ones, most urgent first."""

    total: int
    #: (position, number, clock, reasons), most urgent first
    orders: list[tuple[int, str, OrderClock, tuple[StallReason, ...]]] = field(default_factory=list)


@dataclass(slots=True)
class _Batch:
    """Digests rendered and waiting for their transaction."""

    records: list[dict[str, Any]]
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class Reminders:
    def __init__(
        self,
        db: Database,
        defaults: Defaults,
        *,
        thresholds: StallThresholds = DEFAULT_THRESHOLDS,
        on_queued: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._defaults = defaults
        self._thresholds = thresholds
        self._on_queued = on_queued
        self._clock = clock

    async def sweep(self, now: datetime | None = None, *, force: bool = False) -> int:
        """Queue today's digest for every due seller with stalled orders; returns how many."""
        now = now or self._clock()
        groups = await self._due_groups(now, force)
        if not groups:
            return 0
        stalled: dict[str, Stalled] = {}
        for (
            seller_id,
            number,
            status,
            placed_at,
            paid_at,
            ship_by,
            deliver_by,
            shipped_at,
            completed_at,
            delivered_at,
            requested,
            answered,
            snoozed,
            position,
            total,
        ) in await self._candidates(now, groups):
            clock = OrderClock(
                status=Status(status),
                placed_at=placed_at,
                paid_at=paid_at,
                ship_by=ship_by,
                deliver_by=deliver_by,
                shipped_at=shipped_at,
                completed_at=completed_at,
                delivered_at=delivered_at,
                return_requested_at=requested,
                return_answered_at=answered,
                snoozed_until=snoozed,
            )
            # The query chose and ranked the rows by the domain's rules (the tests hold the two
            # together); the domain has the last word on why each one is listed.
            reasons = stall_reasons(clock, now, self._thresholds)
            if reasons:
                entry = stalled.setdefault(seller_id, Stalled(total=total))
                entry.orders.append((position, number, clock, reasons))
        for entry in stalled.values():
            entry.orders.sort()
        sent = await self._send(now, stalled)
        if sent:
            self._on_queued()
        return sent

    async def _due_groups(self, now: datetime, force: bool) -> dict[tuple[str, int], date]:
        """The (zone, hour) groups of sellers whose reminder hour has come today, and their date."""
        zone = func.coalesce(Seller.timezone, self._defaults.timezone)
        hour = func.coalesce(Seller.reminder_hour, self._defaults.reminder_hour)
        async with self._db.snapshot() as session:
            pairs = (
                await session.execute(
                    select(zone, hour).where(Seller.digest_enabled.is_(True)).distinct()
                )
            ).all()
        due = {}
        for tz, reminder_hour in pairs:
            local_now = now.astimezone(ZoneInfo(tz))
            if force or local_now.hour >= int(reminder_hour):
                due[(str(tz), int(reminder_hour))] = local_date(now, tz)
        return due

    async def _candidates(
        self, now: datetime, groups: dict[tuple[str, int], date]
    ) -> Sequence[Any]:
        """The most urgent stalled orders of each due seller (at most :data:`MAX_LISTED`).

        :func:`stall_reasons` and :func:`urgency` in SQL (the tests hold the two together), so
        only the listed rows come back to Python, however many orders a seller neglects. Each
        rule is one index-friendly select (an OR across them would scan every order) that takes
        the orders whose most severe reason it is; a row carries its ``position`` in the
        seller's list and the seller's ``total``.
        """
        zone = func.coalesce(Seller.timezone, self._defaults.timezone)
        hour = func.coalesce(Seller.reminder_hour, self._defaults.reminder_hour)
        due_sellers = select(Seller.id).where(
            Seller.digest_enabled.is_(True),
            or_(
                *(
                    and_(
                        zone == tz,
                        hour == reminder_hour,
                        ~exists().where(
                            DigestRecord.seller_id == Seller.id, DigestRecord.local_date == day
                        ),
                    )
                    for (tz, reminder_hour), day in groups.items()
                )
            ),
            exists().where(
                TelegramAccount.seller_id == Seller.id, TelegramAccount.active.is_(True)
            ),
        )
        rules = self._rules(now)
        awake = or_(Order.snoozed_until.is_(None), Order.snoozed_until <= now)
        stalled = union_all(
            *(
                select(
                    Order.id,
                    Order.seller_id,
                    literal(severity).label("severity"),
                    deadline.label("deadline"),
                    Order.placed_at,
                    Order.number,
                ).where(rule, awake, *(~earlier for _, earlier, _ in rules[:severity]))
                for severity, (_, rule, deadline) in enumerate(rules)
            )
        ).subquery()
        # urgency(): the most severe reason, then the earliest deadline of that reason (each is
        # a moment of the order plus a constant, so the moment orders them), then the oldest.
        ranked = (
            select(
                stalled.c.id,
                func.row_number()
                .over(
                    partition_by=stalled.c.seller_id,
                    order_by=(
                        stalled.c.severity,
                        stalled.c.deadline,
                        stalled.c.placed_at,
                        stalled.c.number,
                    ),
                )
                .label("position"),
                func.count().over(partition_by=stalled.c.seller_id).label("total"),
            )
            .where(stalled.c.seller_id.in_(due_sellers))
            .subquery()
        )
        query = (
            select(*_COLUMNS, ranked.c.position, ranked.c.total)
            .join_from(ranked, Order, Order.id == ranked.c.id)
            .where(ranked.c.position <= MAX_LISTED)
        )
        async with self._db.snapshot() as session:
            # Core rows: the ORM's row machinery would cost more than the query itself.
            connection = await session.connection()
            return (await connection.execute(query)).all()

    def _rules(
        self, now: datetime
    ) -> list[tuple[StallReason, ColumnElement[bool], SQLColumnExpression[Any]]]:
        """The rules of :func:`stall_reasons`, most severe first: (reason, rule, its moment).

        A rule is never NULL (each guards its nullable columns), so ``~rule`` means "does not
        apply". The return rule's range on the request, not IS NOT NULL, lets SQLite use an
        index.
        """
        t = self._thresholds
        before_shipping = Order.status.in_(("PROCESSED", "PROCESSING"))
        has_ship_by = and_(before_shipping, Order.ship_by.is_not(None))
        started = func.coalesce(Order.paid_at, Order.placed_at)
        return [
            (
                StallReason.RETURN_UNANSWERED,
                and_(
                    Order.return_requested_at.is_not(None),
                    Order.return_requested_at > _EPOCH,
                    Order.status.not_in([status.value for status in FINAL_STATUSES]),
                    or_(
                        Order.return_answered_at.is_(None),
                        Order.return_answered_at < Order.return_requested_at,
                    ),
                ),
                Order.return_requested_at,
            ),
            (StallReason.SHIP_BY_PASSED, and_(has_ship_by, Order.ship_by < now), Order.ship_by),
            (
                StallReason.DELIVERY_OVERDUE,
                and_(
                    Order.status == "SHIPPED",
                    Order.deliver_by.is_not(None),
                    Order.deliver_by < now,
                ),
                Order.deliver_by,
            ),
            (
                StallReason.SHIP_BY_SOON,
                and_(has_ship_by, Order.ship_by < now + t.ship_by_warning),
                Order.ship_by,
            ),
            (
                StallReason.NOT_STARTED,
                and_(Order.status == "PROCESSED", started < now - t.start_within),
                started,
            ),
            (
                StallReason.VERIFICATION_MISSING,
                and_(
                    Order.status == "COMPLETE",
                    Order.completed_at.is_not(None),
                    Order.completed_at < now - t.verification_wait,
                    Order.delivered_at.is_(None),
                ),
                Order.completed_at,
            ),
        ]

    async def _send(self, now: datetime, stalled: dict[str, Stalled]) -> int:
        """Render and queue the digests, 500 sellers at a time.

        A batch is rendered before its transaction opens, and while one batch is written the
        next is rendered (the database works outside the interpreter lock).
        """
        sent = 0
        seller_ids = list(stalled)
        writing: asyncio.Task[int] | None = None
        try:
            for start in range(0, len(seller_ids), _BATCH):
                batch = await self._render(now, seller_ids[start : start + _BATCH], stalled)
                if writing is not None:
                    sent += await writing
                writing = asyncio.create_task(self._queue(batch))
            if writing is not None:
                sent += await writing
                writing = None
        finally:
            if writing is not None:
                writing.cancel()
        log.info("stalled-orders digest queued for %d sellers", sent)
        return sent

    async def _render(
        self, now: datetime, seller_ids: list[str], stalled: dict[str, Stalled]
    ) -> _Batch:
        async with self._db.snapshot() as session:
            zones: dict[str, str | None] = {
                seller_id: zone
                for seller_id, zone in await session.execute(
                    select(Seller.id, Seller.timezone).where(Seller.id.in_(seller_ids))
                )
            }
            accounts = (
                await session.execute(
                    select(
                        TelegramAccount.seller_id,
                        TelegramAccount.chat_id,
                        TelegramAccount.locale,
                        TelegramAccount.telegram_locale,
                    ).where(
                        TelegramAccount.seller_id.in_(seller_ids),
                        TelegramAccount.active.is_(True),
                    )
                )
            ).all()
        batch = _Batch(
            records=[
                {
                    "seller_id": seller_id,
                    "local_date": local_date(now, self._zone(zones.get(seller_id))),
                    "order_count": stalled[seller_id].total,
                    "sent_at": now,
                }
                for seller_id in seller_ids
            ]
        )
        for owner, chat_id, chosen, telegram_language in accounts:
            seller_id = owner or ""  # never empty: selected by seller
            reader = Reader(
                locale=pick_locale(chosen, telegram_language, self._defaults.locale),
                timezone=self._zone(zones.get(seller_id)),
            )
            text, markup = render_digest(stalled[seller_id], reader, now)
            day = local_date(now, reader.timezone).isoformat()
            params = {**message_params(chat_id, text, None), "reply_markup": markup}
            batch.messages.setdefault(seller_id, []).append(
                outbox_row(
                    chat_id, "sendMessage", params, dedupe_key=f"digest:{seller_id}:{day}:{chat_id}"
                )
            )
        return batch

    async def _queue(self, batch: _Batch) -> int:
        """Claim the batch's (seller, day) records and queue the claimed sellers' messages."""
        dialect = sqlite if self._db.is_sqlite else postgresql
        claim = (
            dialect.insert(DigestRecord).on_conflict_do_nothing().returning(DigestRecord.seller_id)
        )
        async with self._db.transaction() as session:
            connection = await session.connection()
            claimed = set((await connection.execute(claim, batch.records)).scalars())
            await enqueue_many(
                session,
                [row for seller_id in claimed for row in batch.messages.get(seller_id, ())],
            )
            await session.commit()
        return len(claimed)

    def _zone(self, zone: str | None) -> str:
        return zone or self._defaults.timezone


@dataclass(frozen=True, slots=True)
class _Phrases:
    """A digest's wording in one language, translated and HTML-escaped once, not per line."""

    zone: ZoneInfo
    reasons: dict[StallReason, str]
    header: str
    more: str
    footer: str
    details: str
    snooze: str


@functools.lru_cache(maxsize=256)
def _phrases(locale: str, timezone: str) -> _Phrases:
    _ = translator(locale)
    reasons = {
        StallReason.RETURN_UNANSWERED: _(
            "the buyer asked for a return: settle it with REFUNDED or write to them"
        ),
        StallReason.SHIP_BY_PASSED: _("ship-by passed on {deadline} and it is not SHIPPED"),
        StallReason.DELIVERY_OVERDUE: _("it should have arrived by {deadline}: is it COMPLETE?"),
        StallReason.SHIP_BY_SOON: _("ship it by {deadline}"),
        StallReason.NOT_STARTED: _("paid on {when} and not started: set PROCESSING"),
        StallReason.VERIFICATION_MISSING: _(
            "COMPLETE, but the marketplace has not verified the delivery: check the tracking"
        ),
    }
    return _Phrases(
        zone=ZoneInfo(timezone),
        reasons={reason: escape(text) for reason, text in reasons.items()},
        header=escape(_("Orders that need you today: {count}")),
        more=escape(_("…and {count} more: see /orders.")),
        footer=escape(_("Snooze puts an order aside until tomorrow's digest.")),
        details=_("Details"),
        snooze=_("Snooze {number}"),
    )


def _deadline(reason: StallReason, clock: OrderClock) -> datetime | None:
    """The moment a digest line names for ``reason``."""
    match reason:
        case StallReason.SHIP_BY_PASSED | StallReason.SHIP_BY_SOON:
            return clock.ship_by
        case StallReason.DELIVERY_OVERDUE:
            return clock.deliver_by
        case StallReason.NOT_STARTED:
            return clock.started_from
        case _:
            return None


def _short(moment: datetime | None, zone: ZoneInfo) -> str:
    """A compact local date and time for digest lines; the order card has the long form."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone)
    return f"{local.day:02}.{local.month:02} {local.hour:02}:{local.minute:02}"


def _action(reason: StallReason, status: Status) -> Action:
    if reason is StallReason.RETURN_UNANSWERED:
        return Action.REFUNDED
    if reason in (StallReason.SHIP_BY_PASSED, StallReason.SHIP_BY_SOON, StallReason.NOT_STARTED):
        return Action.PROCESSING if status is Status.PROCESSED else Action.SHIPPED
    return Action.DETAILS


_STATUS_WORD = {
    Action.PROCESSING: "PROCESSING",
    Action.SHIPPED: "SHIPPED",
    Action.REFUNDED: "REFUNDED",
}


def render_digest(stalled: Stalled, reader: Reader, now: datetime) -> tuple[str, dict[str, Any]]:
    """The digest message: the most urgent orders with why, a button to act and one to snooze."""
    phrases = _phrases(reader.locale, reader.timezone)
    lines = [f"⏰ <b>{phrases.header.format(count=stalled.total)}</b>"]
    rows = []
    listed = stalled.orders[:MAX_LISTED]
    for _position, number, clock, reasons in listed:
        why = "; ".join(
            phrases.reasons[reason].format(
                deadline=(when := _short(_deadline(reason, clock), phrases.zone)), when=when
            )
            for reason in reasons
        )
        status = clock.status.value
        lines.append(f"• <b>{escape(number)}</b> ({status}) — {why}")
        action = _action(reasons[0], clock.status)
        # Plain Bot API JSON: a digest can list many orders, and building keyboard objects
        # only to serialise them again is most of the cost of a large sweep.
        rows.append(
            [
                {
                    "text": f"{_STATUS_WORD.get(action) or phrases.details} · {number}",
                    "callback_data": OrderCallback(action, number).encode(),
                },
                {
                    "text": phrases.snooze.format(number=number),
                    "callback_data": OrderCallback(Action.SNOOZE, number).encode(),
                },
            ]
        )
    if stalled.total > len(listed):
        lines.append(phrases.more.format(count=stalled.total - len(listed)))
    lines.append(phrases.footer)
    return "\n".join(lines), {"inline_keyboard": rows}
