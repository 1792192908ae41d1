"""What each open order needs now, for the order board, and the seller's weekly figures.

An open order sits in one group by what it needs, most urgent first::

    LATE            not shipped and past its ship-by deadline
    SHIP_TODAY      not shipped, due by the end of the seller's local day
    PREPARE         not shipped, due later (or no deadline)
    IN_TRANSIT      SHIPPED: the seller sets COMPLETE once the buyer has it
    DELIVERY_CHECK  COMPLETE, waiting for the marketplace to verify the delivery

Independently of its group, an order whose buyer wrote last (no reply from the seller since)
is also listed under "a buyer wrote".

The weekly figures (:func:`weekly_figures`) count local weeks starting on the shop's first day
of the week (``first_day``: 0 is Monday, 6 Sunday, as ``date.weekday()``; the caller knows where
the shop is, and so which day that is). An order belongs to the week its ship-by deadline
falls in, once that deadline has passed; it was shipped on time when it was SHIPPED at or
before the deadline, and is late otherwise (shipped late, or not shipped by then). Orders
cancelled, or refunded without ever shipping, are not counted. The first-reply time is measured
from a buyer message that waited for an answer (the first after the seller's last reply) to the
seller's next reply, and belongs to the week the buyer wrote in; unanswered waits are counted
apart.
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.lifecycle import Status


class Need(enum.StrEnum):
    LATE = "late"
    SHIP_TODAY = "ship_today"
    PREPARE = "prepare"
    IN_TRANSIT = "in_transit"
    DELIVERY_CHECK = "delivery_check"


#: the board's order of groups, most urgent first
NEED_ORDER = tuple(Need)
_NOT_SHIPPED = frozenset({Status.PROCESSED, Status.PROCESSING})
#: statuses the board shows (COMPLETE only until the marketplace has verified the delivery)
BOARD_STATUSES = (Status.PROCESSED, Status.PROCESSING, Status.SHIPPED, Status.COMPLETE)


def end_of_local_day(now: datetime, tz: str) -> datetime:
    """The first moment of tomorrow in the seller's zone, in UTC."""
    zone = ZoneInfo(tz)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), zone).astimezone(UTC)


def need(
    status: Status,
    ship_by: datetime | None,
    delivered_at: datetime | None,
    now: datetime,
    day_ends: datetime,
) -> Need | None:
    """The group an order belongs to, or None when the board does not show it."""
    if status in _NOT_SHIPPED:
        if ship_by is not None and ship_by < now:
            return Need.LATE
        if ship_by is not None and ship_by < day_ends:
            return Need.SHIP_TODAY
        return Need.PREPARE
    if status is Status.SHIPPED:
        return Need.IN_TRANSIT
    if status is Status.COMPLETE and delivered_at is None:
        return Need.DELIVERY_CHECK
    return None


def buyer_waiting(last_buyer_message: datetime | None, last_reply: datetime | None) -> bool:
    """The buyer wrote after the seller's last reply (or the seller never replied)."""
    return last_buyer_message is not None and (
        last_reply is None or last_reply < last_buyer_message
    )


def week_start(moment: datetime, tz: str, *, first_day: int) -> date:
    """The local first day of the week ``moment`` falls in (weeks begin on ``first_day``)."""
    day = moment.astimezone(ZoneInfo(tz)).date()
    return day - timedelta(days=(day.weekday() - first_day) % 7)


def week_bounds(first: date, tz: str) -> tuple[datetime, datetime]:
    """The week beginning on the local day ``first`` as a UTC [start, end) pair."""
    zone = ZoneInfo(tz)
    start = datetime.combine(first, time(0), zone).astimezone(UTC)
    end = datetime.combine(first + timedelta(days=7), time(0), zone).astimezone(UTC)
    return start, end


def last_weeks(now: datetime, tz: str, count: int = 12, *, first_day: int) -> list[date]:
    """The local first days of the last ``count`` weeks, oldest first, this week last."""
    this_week = week_start(now, tz, first_day=first_day)
    return [this_week - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def _week_of(moment: datetime, tz: str, weeks: Sequence[date]) -> int | None:
    """The index in ``weeks`` (consecutive, oldest first) of the week ``moment`` falls in."""
    n = (moment.astimezone(ZoneInfo(tz)).date() - weeks[0]).days // 7 if weeks else -1
    return n if 0 <= n < len(weeks) else None


@dataclass(frozen=True, slots=True)
class Shipment:
    """One order's shipping deadline and what became of it."""

    ship_by: datetime
    shipped_at: datetime | None
    status: Status


@dataclass(frozen=True, slots=True)
class Exchange:
    """A buyer message (``from_buyer``) or a seller reply, by when it was sent."""

    order_id: str
    at: datetime
    from_buyer: bool


@dataclass(frozen=True, slots=True)
class Week:
    """One week of a seller's figures."""

    start: date
    due: int
    on_time: int
    late: int
    #: median seconds from a waiting buyer message to the seller's reply; None without replies
    first_reply_seconds: float | None
    replies: int
    unanswered: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def _counted(shipment: Shipment) -> bool:
    if shipment.status is Status.CANCELLED:
        return False
    return not (shipment.status is Status.REFUNDED and shipment.shipped_at is None)


def first_reply_waits(exchanges: Iterable[Exchange]) -> list[tuple[datetime, datetime | None]]:
    """(buyer wrote, seller replied or None) for each buyer message that waited for an answer."""
    waits: list[tuple[datetime, datetime | None]] = []
    by_order: dict[str, list[Exchange]] = {}
    for exchange in exchanges:
        by_order.setdefault(exchange.order_id, []).append(exchange)
    for thread in by_order.values():
        thread.sort(key=lambda e: (e.at, e.from_buyer))
        waiting: datetime | None = None
        for exchange in thread:
            if exchange.from_buyer and waiting is None:
                waiting = exchange.at
            elif not exchange.from_buyer and waiting is not None:
                waits.append((waiting, exchange.at))
                waiting = None
        if waiting is not None:
            waits.append((waiting, None))
    return waits


def weekly_figures(
    weeks: Sequence[date],
    tz: str,
    shipments: Iterable[Shipment],
    exchanges: Iterable[Exchange],
    now: datetime,
) -> list[Week]:
    """The figures of each week in ``weeks`` (their local first days, consecutive, oldest
    first), in the same order."""
    due = [0] * len(weeks)
    on_time = [0] * len(weeks)
    for shipment in shipments:
        n = _week_of(shipment.ship_by, tz, weeks)
        if n is None or shipment.ship_by > now or not _counted(shipment):
            continue
        due[n] += 1
        if shipment.shipped_at is not None and shipment.shipped_at <= shipment.ship_by:
            on_time[n] += 1
    replies: list[list[float]] = [[] for _ in weeks]
    unanswered = [0] * len(weeks)
    for wrote, replied in first_reply_waits(exchanges):
        n = _week_of(wrote, tz, weeks)
        if n is None:
            continue
        if replied is None:
            unanswered[n] += 1
        else:
            replies[n].append((replied - wrote).total_seconds())
    return [
        Week(
            start=first,
            due=due[n],
            on_time=on_time[n],
            late=due[n] - on_time[n],
            first_reply_seconds=statistics.median(replies[n]) if replies[n] else None,
            replies=len(replies[n]),
            unanswered=unanswered[n],
        )
        for n, first in enumerate(weeks)
    ]


def verdict(week: Week, before: Week | None) -> str:
    """A stable code for the card's one-line verdict on ``week`` (compared with ``before``)."""
    if week.due == 0 and week.replies == 0:
        return "quiet"
    rate = week.on_time_rate
    if rate is not None and rate < 0.8:
        return "late"
    if week.unanswered or (week.first_reply_seconds or 0) > 24 * 3600:
        return "slow_replies"
    if before is not None and before.on_time_rate is not None and rate is not None:
        if rate > before.on_time_rate:
            return "better"
        if rate < before.on_time_rate:
            return "worse"
    return "steady" if rate is None or rate < 1 else "perfect"
