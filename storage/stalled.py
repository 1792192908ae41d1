"""The domain's stall rules and urgency ranking as SQL, so a sweep asks the database, not Python.

:func:`bot.domain.deadlines.stall_reasons` decides why an order is stalled and
:func:`~bot.domain.deadlines.urgency` which is most urgent; here the same rules are indexed
selects, and the ranking a window over them, so only the orders a digest lists leave the
database however many a seller neglects. The tests hold the two versions together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    func,
    literal,
    or_,
    select,
    union_all,
)

from bot.domain.deadlines import StallReason, StallThresholds
from bot.domain.lifecycle import FINAL_STATUSES
from storage.models import Order

#: (reason, the rule as a condition, the moment its deadline counts from)
Rule = tuple[StallReason, ColumnElement[bool], SQLColumnExpression[Any]]

#: before any return request; a range on the column, unlike IS NOT NULL, uses SQLite's index
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: what the stall rules and the digest need of an order
COLUMNS = (
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


def most_urgent(
    sellers: Select[str], now: datetime, thresholds: StallThresholds, limit: int
) -> Select[*tuple[Any, ...]]:
    """The ``limit`` most urgent stalled orders of each of ``sellers`` (a select of ids).

    Rows are :data:`COLUMNS` plus ``position`` (1 is the most urgent) and ``total``, how many
    stalled orders the seller has, seller by seller, most urgent first. Each rule is one
    index-friendly select (an OR across them would scan every order) that takes the orders whose
    most severe reason it is.
    """
    rules = stall_rules(now, thresholds)
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
    # urgency(): the most severe reason, then the earliest deadline of that reason (each is a
    # moment of the order plus a constant, so the moment orders them), then the oldest order.
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
        .where(stalled.c.seller_id.in_(sellers))
        .subquery()
    )
    return (
        select(*COLUMNS, ranked.c.position, ranked.c.total)
        .join_from(ranked, Order, Order.id == ranked.c.id)
        .where(ranked.c.position <= limit)
        .order_by(Order.seller_id, ranked.c.position)
    )


def stall_rules(now: datetime, t: StallThresholds) -> list[Rule]:
    """The rules of :func:`stall_reasons`, most severe first: (reason, rule, its moment).

    A rule is never NULL (each guards its nullable columns), so ``~rule`` means "does not
    apply". The return rule's range on the request, not IS NOT NULL, lets SQLite use an
    index.
    """
    before_shipping = Order.status.in_(("PROCESSED", "PROCESSING"))
    has_ship_by = and_(before_shipping, Order.ship_by.is_not(None))
    started = func.coalesce(Order.paid_at, Order.placed_at)
    return [
        (
            StallReason.RETURN_UNANSWERED,
            and_(
                Order.return_requested_at.is_not(None),
                Order.return_requested_at > EPOCH,
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
