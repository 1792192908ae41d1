"""Order deadlines, the rules that call an order stalled, and local reminder times.

Every datetime here is timezone-aware; a naive one is a ValueError. Deadlines are computed in
UTC and in elapsed time (a day is 24 hours), so a daylight saving change does not move them:
paid on Saturday 2026-03-28 10:00 in Sofia with one preparation day, an order must ship by
Sunday 11:00 Sofia time, 24 hours later, not 10:00; a three-day delivery shipped on Friday
2026-10-23 12:00 is due on Monday 11:00. (Python adds a timedelta to a zoned datetime on the
wall clock, hence the UTC.) Results come back in UTC. Local time matters only for when a
reminder reaches the seller (:func:`next_local_time`, :func:`snooze_until_tomorrow`).

Deadlines are passed strictly after their moment: an order due to ship by 12:00 is on time at
12:00 and late at 12:00:01.

A return request is stalled from the moment it arrives until it is answered: the buyer waits,
and nothing else the seller does moves the case on. ``StallThresholds.return_answer_within`` is
the answer's due time, which ranks unanswered requests in :func:`urgency`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.lifecycle import Status

RETURN_WINDOW = timedelta(days=14)

_BEFORE_SHIPPING = frozenset({Status.PROCESSED, Status.PROCESSING})


def _utc(moment: datetime, name: str) -> datetime:
    """``moment`` in UTC, where adding a timedelta adds elapsed time, not wall-clock time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def ship_by(
    *,
    marketplace_ship_by: datetime | None,
    paid_at: datetime | None,
    placed_at: datetime,
    preparation_days: int | None,
) -> datetime | None:
    """When the order must ship: the marketplace's date, else payment plus preparation days.

    Without a payment the order counts from when it was placed; without preparation days (and
    no date from the marketplace) there is no deadline.
    """
    if marketplace_ship_by is not None:
        return _utc(marketplace_ship_by, "marketplace_ship_by")
    if preparation_days is None:
        return None
    if preparation_days < 0:
        raise ValueError("preparation_days must not be negative")
    start = paid_at if paid_at is not None else placed_at
    return _utc(start, "paid_at/placed_at") + timedelta(days=preparation_days)


def deliver_by(shipped_at: datetime, max_days: int) -> datetime:
    """When a shipped order should have arrived: ``max_days`` times 24 hours after shipping."""
    if max_days < 0:
        raise ValueError("max_days must not be negative")
    return _utc(shipped_at, "shipped_at") + timedelta(days=max_days)


def return_window_ends(delivered_at: datetime) -> datetime:
    """The last moment the buyer may ask to return a delivered order."""
    return _utc(delivered_at, "delivered_at") + RETURN_WINDOW


@dataclass(frozen=True, slots=True)
class StallThresholds:
    """How long each step may take before the order shows up as stalled."""

    #: A PROCESSED order not started this long after payment is NOT_STARTED.
    start_within: timedelta = timedelta(days=1)
    #: An unshipped order with its ship-by date less than this away is SHIP_BY_SOON.
    ship_by_warning: timedelta = timedelta(hours=24)
    #: A COMPLETE order without a delivery confirmation this long after is VERIFICATION_MISSING.
    verification_wait: timedelta = timedelta(days=3)
    #: When an answer to a return request is due (the request is stalled before that already).
    return_answer_within: timedelta = timedelta(days=2)


DEFAULT_THRESHOLDS = StallThresholds()


class StallReason(enum.StrEnum):
    """Why an order needs the seller, most urgent first."""

    RETURN_UNANSWERED = "return_unanswered"
    SHIP_BY_PASSED = "ship_by_passed"
    DELIVERY_OVERDUE = "delivery_overdue"
    SHIP_BY_SOON = "ship_by_soon"
    NOT_STARTED = "not_started"
    VERIFICATION_MISSING = "verification_missing"


_SEVERITY = {reason: rank for rank, reason in enumerate(StallReason)}


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderClock:
    """What the stall rules need to know about one order; its moments are kept in UTC."""

    status: Status
    placed_at: datetime
    paid_at: datetime | None = None
    ship_by: datetime | None = None
    deliver_by: datetime | None = None
    shipped_at: datetime | None = None
    completed_at: datetime | None = None
    delivered_at: datetime | None = None
    return_requested_at: datetime | None = None
    return_answered_at: datetime | None = None
    snoozed_until: datetime | None = None

    def __post_init__(self) -> None:
        for name in _MOMENTS:
            value = getattr(self, name)
            if value is not None and (value.tzinfo is not UTC):
                object.__setattr__(self, name, _utc(value, name))

    @property
    def started_from(self) -> datetime:
        """The moment the seller's clock starts: payment, or placing for unpaid orders."""
        return self.paid_at if self.paid_at is not None else self.placed_at

    @property
    def return_unanswered(self) -> bool:
        """A return request waits for the seller (an answer before a later request is old)."""
        if self.return_requested_at is None:
            return False
        answered = self.return_answered_at
        return answered is None or answered < self.return_requested_at


#: the fields of OrderClock that hold moments (the sweep builds many clocks: no per-call lookup)
_MOMENTS = tuple(f.name for f in fields(OrderClock) if f.name != "status")


def stall_reasons(
    order: OrderClock, now: datetime, thresholds: StallThresholds = DEFAULT_THRESHOLDS
) -> tuple[StallReason, ...]:
    """Why the order needs the seller now, most urgent first; empty while snoozed or final."""
    now = _utc(now, "now")
    if order.status.is_final:
        return ()
    if order.snoozed_until is not None and order.snoozed_until > now:
        return ()
    found: set[StallReason] = set()
    if order.return_unanswered:
        found.add(StallReason.RETURN_UNANSWERED)
    if order.status in _BEFORE_SHIPPING and order.ship_by is not None:
        if now > order.ship_by:
            found.add(StallReason.SHIP_BY_PASSED)
        elif order.ship_by - now < thresholds.ship_by_warning:
            found.add(StallReason.SHIP_BY_SOON)
    if order.status is Status.PROCESSED and now > order.started_from + thresholds.start_within:
        found.add(StallReason.NOT_STARTED)
    if order.status is Status.SHIPPED and order.deliver_by is not None and now > order.deliver_by:
        found.add(StallReason.DELIVERY_OVERDUE)
    if (
        order.status is Status.COMPLETE
        and order.delivered_at is None
        and order.completed_at is not None
        and now > order.completed_at + thresholds.verification_wait
    ):
        found.add(StallReason.VERIFICATION_MISSING)
    return tuple(sorted(found, key=_SEVERITY.__getitem__))


def urgency(
    order: OrderClock,
    reasons: Sequence[StallReason],
    now: datetime,
    thresholds: StallThresholds = DEFAULT_THRESHOLDS,
) -> tuple[int, timedelta, datetime]:
    """A sort key that puts the most urgent order first.

    By the most severe reason, then by how far past that reason's deadline the order is (time
    left counts as negative), then oldest first. Orders with no reason sort last.
    """
    now = _utc(now, "now")
    if not reasons:
        return (len(_SEVERITY), timedelta(0), order.placed_at)
    top = min(reasons, key=_SEVERITY.__getitem__)
    due = _due(order, top, thresholds)
    overdue = now - due if due is not None else timedelta(0)
    return (_SEVERITY[top], -overdue, order.placed_at)


def _due(order: OrderClock, reason: StallReason, thresholds: StallThresholds) -> datetime | None:
    """The deadline whose passing (or nearing) makes ``reason``."""
    match reason:
        case StallReason.RETURN_UNANSWERED:
            requested = order.return_requested_at
            return None if requested is None else requested + thresholds.return_answer_within
        case StallReason.SHIP_BY_PASSED | StallReason.SHIP_BY_SOON:
            return order.ship_by
        case StallReason.DELIVERY_OVERDUE:
            return order.deliver_by
        case StallReason.NOT_STARTED:
            return order.started_from + thresholds.start_within
        case StallReason.VERIFICATION_MISSING:
            completed = order.completed_at
            return None if completed is None else completed + thresholds.verification_wait


def local_date(now: datetime, tz: str) -> date:
    """The date a calendar on the wall in ``tz`` shows at ``now``."""
    return _utc(now, "now").astimezone(ZoneInfo(tz)).date()


def _at_local_hour(day: date, zone: ZoneInfo, hour: int) -> datetime:
    """``hour``:00 on ``day`` in ``zone``, in UTC.

    An hour skipped by a spring-forward change gives the moment the clock jumps (03:00 in Sofia
    on 2026-03-29 becomes 04:00 local time); an hour repeated by a fall-back change gives its
    first occurrence, so a daily reminder fires once.
    """
    if not 0 <= hour <= 23:
        raise ValueError("hour must be between 0 and 23")
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def next_local_time(now: datetime, tz: str, hour: int) -> datetime:
    """The first moment strictly after ``now`` when the clock in ``tz`` shows ``hour``:00."""
    zone = ZoneInfo(tz)
    today = local_date(now, tz)
    moment = _at_local_hour(today, zone, hour)
    return moment if moment > now else _at_local_hour(today + timedelta(days=1), zone, hour)


def snooze_until_tomorrow(now: datetime, tz: str, hour: int) -> datetime:
    """``hour``:00 on the next local calendar day in ``tz``, in UTC, even if today's is ahead."""
    return _at_local_hour(local_date(now, tz) + timedelta(days=1), ZoneInfo(tz), hour)
