"""When an order is stalled, why, and which stalled order comes first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.domain.deadlines import (
    StallReason,
    StallThresholds,
    deliver_by,
    stall_reasons,
    urgency,
)
from bot.domain.lifecycle import Status
from tests.unit.test_deadlines import PAID, PLACED, clock

# Stall rules


def test_a_freshly_paid_order_is_not_stalled() -> None:
    assert stall_reasons(clock(), PAID + timedelta(hours=2)) == ()


def test_processed_order_not_started_a_day_after_payment_is_stalled() -> None:
    assert stall_reasons(clock(), PAID + timedelta(days=1)) == ()
    late = PAID + timedelta(days=1, seconds=1)
    assert stall_reasons(clock(), late) == (StallReason.NOT_STARTED,)


def test_an_unpaid_order_counts_from_when_it_was_placed() -> None:
    late = PLACED + timedelta(days=1, minutes=1)
    assert stall_reasons(clock(paid_at=None), late) == (StallReason.NOT_STARTED,)


def test_an_order_in_processing_is_not_reported_as_not_started() -> None:
    assert stall_reasons(clock(Status.PROCESSING), PAID + timedelta(days=3)) == ()


@pytest.mark.parametrize("status", [Status.PROCESSED, Status.PROCESSING])
def test_ship_by_less_than_a_day_away_is_soon(status: Status) -> None:
    due = PAID + timedelta(hours=30)
    order = clock(status, ship_by=due)
    assert stall_reasons(order, due - timedelta(hours=24)) == ()
    assert stall_reasons(order, due - timedelta(hours=23)) == (StallReason.SHIP_BY_SOON,)


def test_a_passed_ship_by_replaces_ship_by_soon() -> None:
    due = PAID + timedelta(hours=6)
    order = clock(Status.PROCESSING, ship_by=due)
    assert stall_reasons(order, due + timedelta(minutes=1)) == (StallReason.SHIP_BY_PASSED,)


def test_a_shipped_order_is_never_late_to_ship() -> None:
    order = clock(Status.SHIPPED, ship_by=PAID + timedelta(hours=6), shipped_at=PAID)
    assert stall_reasons(order, PAID + timedelta(days=2)) == ()


def test_a_shipped_order_past_its_deliver_by_is_delivery_overdue() -> None:
    shipped = PAID + timedelta(days=1)
    order = clock(Status.SHIPPED, shipped_at=shipped, deliver_by=deliver_by(shipped, 3))
    assert stall_reasons(order, shipped + timedelta(days=3)) == ()
    late = shipped + timedelta(days=3, hours=1)
    assert stall_reasons(order, late) == (StallReason.DELIVERY_OVERDUE,)


def test_a_complete_order_without_delivery_confirmation_after_three_days_is_stalled() -> None:
    completed = PAID + timedelta(days=4)
    order = clock(Status.COMPLETE, completed_at=completed)
    assert stall_reasons(order, completed + timedelta(days=3)) == ()
    late = completed + timedelta(days=3, seconds=1)
    assert stall_reasons(order, late) == (StallReason.VERIFICATION_MISSING,)
    delivered = replace(order, delivered_at=completed + timedelta(days=1))
    assert stall_reasons(delivered, late) == ()


def test_an_unanswered_return_request_is_stalled_at_once() -> None:
    requested = PAID + timedelta(days=6)
    order = clock(Status.COMPLETE, completed_at=requested, return_requested_at=requested)
    assert stall_reasons(order, requested) == (StallReason.RETURN_UNANSWERED,)


def test_an_answered_return_request_is_not_stalled_until_the_buyer_asks_again() -> None:
    requested = PAID + timedelta(days=6)
    answered = clock(
        Status.COMPLETE,
        completed_at=requested,
        delivered_at=requested,
        return_requested_at=requested,
        return_answered_at=requested + timedelta(hours=2),
    )
    assert stall_reasons(answered, requested + timedelta(days=1)) == ()
    asked_again = replace(answered, return_requested_at=requested + timedelta(days=1))
    later = requested + timedelta(days=1, hours=1)
    assert stall_reasons(asked_again, later) == (StallReason.RETURN_UNANSWERED,)


@pytest.mark.parametrize("status", [Status.REFUNDED, Status.CANCELLED])
def test_refunded_and_cancelled_orders_are_never_stalled(status: Status) -> None:
    order = clock(status, ship_by=PAID, return_requested_at=PAID)
    assert stall_reasons(order, PAID + timedelta(days=10)) == ()


def test_a_snoozed_order_is_quiet_until_the_snooze_ends() -> None:
    snoozed = clock(return_requested_at=PAID, snoozed_until=PAID + timedelta(hours=5))
    assert stall_reasons(snoozed, PAID + timedelta(hours=4)) == ()
    ended = PAID + timedelta(hours=5)
    assert stall_reasons(snoozed, ended) == (StallReason.RETURN_UNANSWERED,)


def test_reasons_come_most_urgent_first() -> None:
    order = clock(ship_by=PAID + timedelta(hours=12), return_requested_at=PAID)
    assert stall_reasons(order, PAID + timedelta(days=2)) == (
        StallReason.RETURN_UNANSWERED,
        StallReason.SHIP_BY_PASSED,
        StallReason.NOT_STARTED,
    )


def test_thresholds_can_be_tightened() -> None:
    strict = StallThresholds(start_within=timedelta(hours=2))
    later = PAID + timedelta(hours=3)
    assert stall_reasons(clock(), later) == ()
    assert stall_reasons(clock(), later, strict) == (StallReason.NOT_STARTED,)


def test_stall_reasons_read_the_clock_they_are_given() -> None:
    order = clock()
    with time_machine.travel(PAID + timedelta(days=2), tick=False):
        assert stall_reasons(order, datetime.now(UTC)) == (StallReason.NOT_STARTED,)
    with time_machine.travel(PAID + timedelta(hours=1), tick=False):
        assert stall_reasons(order, datetime.now(UTC)) == ()


def test_reason_codes_are_lower_snake_case() -> None:
    assert [reason.value for reason in StallReason] == [
        "return_unanswered",
        "ship_by_passed",
        "delivery_overdue",
        "ship_by_soon",
        "not_started",
        "verification_missing",
    ]


# Urgency


def test_orders_sort_by_their_most_severe_reason_then_by_how_overdue() -> None:
    now = PAID + timedelta(days=3)
    orders = {
        "quiet": clock(Status.PROCESSING),
        "not_started": clock(),
        "a_bit_late": clock(Status.PROCESSING, ship_by=now - timedelta(hours=1)),
        "very_late": clock(Status.PROCESSING, ship_by=now - timedelta(days=1)),
        "return": clock(Status.COMPLETE, completed_at=PAID, return_requested_at=now),
        "due_in_5h": clock(Status.PROCESSING, ship_by=now + timedelta(hours=5)),
        "due_in_1h": clock(Status.PROCESSING, ship_by=now + timedelta(hours=1)),
    }

    def key(name: str) -> tuple[object, ...]:
        order = orders[name]
        return urgency(order, stall_reasons(order, now), now)

    assert sorted(orders, key=key) == [
        "return",
        "very_late",
        "a_bit_late",
        "due_in_1h",
        "due_in_5h",
        "not_started",
        "quiet",
    ]


def test_unanswered_returns_rank_by_when_the_answer_was_due() -> None:
    now = PAID + timedelta(days=5)
    old = clock(Status.COMPLETE, completed_at=PAID, return_requested_at=now - timedelta(days=3))
    new = clock(Status.COMPLETE, completed_at=PAID, return_requested_at=now - timedelta(hours=1))
    old_key = urgency(old, stall_reasons(old, now), now)
    new_key = urgency(new, stall_reasons(new, now), now)
    assert old_key < new_key
    assert old_key[1] == -timedelta(days=1)


def test_equally_urgent_orders_keep_the_oldest_first() -> None:
    now = PAID + timedelta(days=2)
    older = clock(placed_at=PLACED - timedelta(hours=1), paid_at=PAID)
    newer = clock()
    reasons = (StallReason.NOT_STARTED,)
    assert urgency(older, reasons, now)[:2] == urgency(newer, reasons, now)[:2]
    assert urgency(older, reasons, now) < urgency(newer, reasons, now)
