"""The daily digest of stalled orders, once per seller per local day at the seller's own hour.

The sweep is a handful of indexed queries, not a walk over every order: which (time zone, hour)
groups of sellers are due now, then the candidate orders of those sellers whose deadlines match
the stall rules, then the domain's :func:`stall_reasons` on just those rows. Each seller's digest
is claimed by inserting its (seller, local date) record in the same transaction as the messages;
a record that already exists means another sweep or process sent it, so nothing goes twice.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select, union
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.deadlines import (
    DEFAULT_THRESHOLDS,
    OrderClock,
    StallReason,
    StallThresholds,
    local_date,
    stall_reasons,
    urgency,
)
from bot.domain.lifecycle import Status
from bot.i18n import Gettext
from bot.notify import Defaults, message_params, reader_for
from bot.telegram_outbox import enqueue_many, outbox_row
from handlers.callback_data import Action, OrderCallback
from handlers.views import Reader
from storage.database import Database
from storage.models import DigestRecord, Order, Seller, TelegramAccount

log = logging.getLogger(__name__)

MAX_LISTED = 10
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
        rows = await self._candidates(now, groups)
        by_seller: dict[str, list[tuple[str, OrderClock]]] = defaultdict(list)
        for row in rows:
            clock = OrderClock(
                status=Status(row.status),
                placed_at=row.placed_at,
                paid_at=row.paid_at,
                ship_by=row.ship_by,
                deliver_by=row.deliver_by,
                shipped_at=row.shipped_at,
                completed_at=row.completed_at,
                delivered_at=row.delivered_at,
                return_requested_at=row.return_requested_at,
                return_answered_at=row.return_answered_at,
                snoozed_until=row.snoozed_until,
            )
            by_seller[row.seller_id].append((row.number, clock))
        stalled: dict[str, list[tuple[str, OrderClock, tuple[StallReason, ...]]]] = {}
        for seller_id, orders in by_seller.items():
            found = [
                (number, clock, reasons)
                for number, clock in orders
                if (reasons := stall_reasons(clock, now, self._thresholds))
            ]
            if found:
                found.sort(key=lambda item: urgency(item[1], item[2], now, self._thresholds))
                stalled[seller_id] = found
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
        t = self._thresholds
        zone = func.coalesce(Seller.timezone, self._defaults.timezone)
        hour = func.coalesce(Seller.reminder_hour, self._defaults.reminder_hour)
        due_seller = or_(
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
        )
        # One index-friendly select per stall rule (an OR across them would scan every order);
        # the domain then decides on just these rows.
        stalled_ids = union(
            select(Order.id).where(
                Order.status == "PROCESSED",
                func.coalesce(Order.paid_at, Order.placed_at) < now - t.start_within,
            ),
            select(Order.id).where(
                Order.status.in_(("PROCESSED", "PROCESSING")),
                Order.ship_by < now + t.ship_by_warning,
            ),
            select(Order.id).where(Order.status == "SHIPPED", Order.deliver_by < now),
            select(Order.id).where(
                Order.status == "COMPLETE",
                Order.completed_at < now - t.verification_wait,
                Order.delivered_at.is_(None),
            ),
            select(Order.id).where(
                Order.return_requested_at.is_not(None), Order.return_answered_at.is_(None)
            ),
        )
        stalled = Order.id.in_(select(stalled_ids.subquery().c.id))
        query = (
            select(*_COLUMNS)
            .join(Seller, Seller.id == Order.seller_id)
            .where(
                Seller.digest_enabled.is_(True),
                due_seller,
                Order.status.not_in(("REFUNDED", "CANCELLED")),
                or_(Order.snoozed_until.is_(None), Order.snoozed_until <= now),
                stalled,
                exists().where(
                    TelegramAccount.seller_id == Seller.id, TelegramAccount.active.is_(True)
                ),
            )
        )
        async with self._db.snapshot() as session:
            return (await session.execute(query)).all()

    async def _send(
        self,
        now: datetime,
        stalled: dict[str, list[tuple[str, OrderClock, tuple[StallReason, ...]]]],
    ) -> int:
        if not stalled:
            return 0
        sent = 0
        seller_ids = list(stalled)
        for start in range(0, len(seller_ids), 500):
            batch = seller_ids[start : start + 500]
            async with self._db.transaction() as session:
                sellers = {
                    s.id: s
                    for s in (
                        await session.scalars(select(Seller).where(Seller.id.in_(batch)))
                    ).all()
                }
                records = [
                    {
                        "seller_id": seller_id,
                        "local_date": local_date(now, self._zone(sellers.get(seller_id))),
                        "order_count": len(stalled[seller_id]),
                        "sent_at": now,
                    }
                    for seller_id in batch
                ]
                dialect = sqlite if self._db.is_sqlite else postgresql
                claimed = set(
                    (
                        await session.scalars(
                            dialect.insert(DigestRecord)
                            .values(records)
                            .on_conflict_do_nothing()
                            .returning(DigestRecord.seller_id)
                        )
                    ).all()
                )
                accounts = (
                    await session.scalars(
                        select(TelegramAccount).where(
                            TelegramAccount.seller_id.in_(claimed),
                            TelegramAccount.active.is_(True),
                        )
                    )
                ).all()
                messages = []
                for account in accounts:
                    seller_id = account.seller_id or ""
                    reader = reader_for(account, sellers.get(seller_id), self._defaults)
                    text, markup = render_digest(stalled[seller_id], reader, now)
                    day = local_date(now, reader.timezone).isoformat()
                    params = {**message_params(account.chat_id, text, None), "reply_markup": markup}
                    messages.append(
                        outbox_row(
                            account.chat_id,
                            "sendMessage",
                            params,
                            dedupe_key=f"digest:{seller_id}:{day}:{account.chat_id}",
                        )
                    )
                await enqueue_many(session, messages)
                await session.commit()
            sent += len(claimed)
        log.info("stalled-orders digest queued for %d sellers", sent)
        return sent

    def _zone(self, seller: Seller | None) -> str:
        return (seller.timezone if seller else None) or self._defaults.timezone


def _short(moment: datetime, zone: str) -> str:
    """A compact local date and time for digest lines; the order card has the long form."""
    return moment.astimezone(_zone_info(zone)).strftime("%d.%m %H:%M")


@functools.cache
def _zone_info(zone: str) -> ZoneInfo:
    return ZoneInfo(zone)


def reason_text(reason: StallReason, clock: OrderClock, reader: Reader) -> str:
    _ = reader._

    def when(moment: datetime) -> str:
        return _short(moment, reader.timezone)

    match reason:
        case StallReason.RETURN_UNANSWERED:
            return _("the buyer asked for a return: settle it with REFUNDED or write to them")
        case StallReason.SHIP_BY_PASSED:
            return _("ship-by passed on {deadline} and it is not SHIPPED").format(
                deadline=when(clock.ship_by) if clock.ship_by else "—"
            )
        case StallReason.DELIVERY_OVERDUE:
            return _("it should have arrived by {deadline}: is it COMPLETE?").format(
                deadline=when(clock.deliver_by) if clock.deliver_by else "—"
            )
        case StallReason.SHIP_BY_SOON:
            return _("ship it by {deadline}").format(
                deadline=when(clock.ship_by) if clock.ship_by else "—"
            )
        case StallReason.NOT_STARTED:
            return _("paid on {when} and not started: set PROCESSING").format(
                when=when(clock.paid_at or clock.placed_at)
            )
        case StallReason.VERIFICATION_MISSING:
            return _(
                "COMPLETE, but the marketplace has not verified the delivery: check the tracking"
            )


def _action(reason: StallReason, status: Status) -> Action:
    if reason is StallReason.RETURN_UNANSWERED:
        return Action.REFUNDED
    if reason in (StallReason.SHIP_BY_PASSED, StallReason.SHIP_BY_SOON, StallReason.NOT_STARTED):
        return Action.PROCESSING if status is Status.PROCESSED else Action.SHIPPED
    return Action.DETAILS


def _button_label(action: Action, number: str, _: Gettext) -> str:
    word = {
        Action.PROCESSING: "PROCESSING",
        Action.SHIPPED: "SHIPPED",
        Action.REFUNDED: "REFUNDED",
    }.get(action) or _("Details")
    return f"{word} · {number}"


def render_digest(
    orders: Sequence[tuple[str, OrderClock, tuple[StallReason, ...]]], reader: Reader, now: datetime
) -> tuple[str, dict[str, Any]]:
    _ = reader._
    lines = [
        "⏰ <b>"
        + escape(_("Orders that need you today: {count}").format(count=len(orders)))
        + "</b>"
    ]
    rows = []
    for number, clock, reasons in orders[:MAX_LISTED]:
        why = "; ".join(reason_text(reason, clock, reader) for reason in reasons)
        lines.append(f"• <b>{escape(number)}</b> ({escape(clock.status.value)}) — {escape(why)}")
        action = _action(reasons[0], clock.status)
        # Plain Bot API JSON: a digest can list many orders, and building keyboard objects
        # only to serialise them again is most of the cost of a large sweep.
        rows.append(
            [
                {
                    "text": _button_label(action, number, _),
                    "callback_data": OrderCallback(action, number).encode(),
                },
                {
                    "text": _("Snooze {number}").format(number=number),
                    "callback_data": OrderCallback(Action.SNOOZE, number).encode(),
                },
            ]
        )
    if len(orders) > MAX_LISTED:
        lines.append(
            escape(_("…and {count} more: see /orders.").format(count=len(orders) - MAX_LISTED))
        )
    lines.append(escape(_("Snooze puts an order aside until tomorrow's digest.")))
    return "\n".join(lines), {"inline_keyboard": rows}
