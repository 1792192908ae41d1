"""Deadlines, the stalled-order rules, and reminder times across daylight saving changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.domain.deadlines import (
    RETURN_WINDOW,
    OrderClock,
    StallReason,
    StallThresholds,
    deliver_by,
    local_date,
    next_local_time,
    return_window_ends,
    ship_by,
    snooze_until_tomorrow,
    stall_reasons,
    urgency,
)
from bot.domain.lifecycle import Status

SOFIA = ZoneInfo("Europe/Sofia")
PLACED = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
PAID = PLACED + timedelta(minutes=30)


def sofia(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SOFIA)


def clock(status: Status = Status.PROCESSED, **changes: Any) -> OrderClock:
    return replace(OrderClock(status=status, placed_at=PLACED, paid_at=PAID), **changes)


# ship_by, deliver_by, return window


def test_the_marketplaces_ship_by_wins_over_preparation_days() -> None:
    given = PAID + timedelta(days=5)
    assert ship_by(
        marketplace_ship_by=given, paid_at=PAID, placed_at=PLACED, preparation_days=1
    ) == (given)


def test_ship_by_counts_preparation_days_from_payment() -> None:
    found = ship_by(marketplace_ship_by=None, paid_at=PAID, placed_at=PLACED, preparation_days=2)
    assert found == PAID + timedelta(days=2)


def test_ship_by_counts_from_placing_for_an_unpaid_order() -> None:
    found = ship_by(marketplace_ship_by=None, paid_at=None, placed_at=PLACED, preparation_days=0)
    assert found == PLACED


def test_without_preparation_days_or_a_marketplace_date_there_is_no_ship_by() -> None:
    assert (
        ship_by(marketplace_ship_by=None, paid_at=PAID, placed_at=PLACED, preparation_days=None)
        is None
    )


def test_ship_by_across_the_spring_dst_change_is_24_hours_so_an_hour_later_on_the_clock() -> None:
    paid = sofia(2026, 3, 28, 10, 0)  # Saturday, the night before clocks go forward
    found = ship_by(marketplace_ship_by=None, paid_at=paid, placed_at=paid, preparation_days=1)
    assert found == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert found is not None
    assert found.astimezone(SOFIA).hour == 11


def test_order_paid_before_the_spring_dst_change_is_late_only_after_24_hours() -> None:
    paid = sofia(2026, 3, 28, 10, 0)
    due = ship_by(marketplace_ship_by=None, paid_at=paid, placed_at=paid, preparation_days=1)
    order = OrderClock(status=Status.PROCESSING, placed_at=paid, paid_at=paid, ship_by=due)
    assert stall_reasons(order, sofia(2026, 3, 29, 10, 30)) == (StallReason.SHIP_BY_SOON,)
    assert stall_reasons(order, sofia(2026, 3, 29, 11, 0)) == (StallReason.SHIP_BY_SOON,)
    late = sofia(2026, 3, 29, 11, 0) + timedelta(seconds=1)
    assert stall_reasons(order, late) == (StallReason.SHIP_BY_PASSED,)


def test_order_paid_in_sofia_time_before_the_spring_dst_change_gets_a_full_day_to_start() -> None:
    paid = sofia(2026, 3, 28, 10, 0)
    order = OrderClock(status=Status.PROCESSED, placed_at=paid, paid_at=paid)
    assert order.paid_at == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    assert stall_reasons(order, sofia(2026, 3, 29, 10, 30)) == ()
    assert stall_reasons(order, sofia(2026, 3, 29, 11, 1)) == (StallReason.NOT_STARTED,)


def test_deadlines_come_back_in_utc() -> None:
    shipped = sofia(2026, 5, 4, 12, 0)
    assert deliver_by(shipped, 2).tzinfo is UTC
    assert return_window_ends(shipped).tzinfo is UTC
    marketplace = ship_by(
        marketplace_ship_by=shipped, paid_at=None, placed_at=shipped, preparation_days=None
    )
    assert marketplace is not None
    assert marketplace.tzinfo is UTC


def test_negative_preparation_days_are_refused() -> None:
    with pytest.raises(ValueError, match="preparation_days"):
        ship_by(marketplace_ship_by=None, paid_at=PAID, placed_at=PLACED, preparation_days=-1)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 5, 4, 8, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        ship_by(marketplace_ship_by=None, paid_at=naive, placed_at=naive, preparation_days=1)
    with pytest.raises(ValueError, match="shipped_at"):
        deliver_by(naive, 3)
    with pytest.raises(ValueError, match="completed_at"):
        clock(Status.COMPLETE, completed_at=naive)
    with pytest.raises(ValueError, match="now"):
        stall_reasons(clock(), naive)


def test_deliver_by_is_max_days_of_24_hours_even_across_the_autumn_dst_change() -> None:
    shipped = sofia(2026, 10, 23, 12, 0)
    found = deliver_by(shipped, 3)
    assert found == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # 12:00 EEST is 09:00 UTC
    assert found.astimezone(SOFIA).hour == 11


def test_the_return_window_ends_fourteen_days_after_delivery() -> None:
    delivered = datetime(2026, 5, 10, 15, 0, tzinfo=UTC)
    assert timedelta(days=14) == RETURN_WINDOW
    assert return_window_ends(delivered) == datetime(2026, 5, 24, 15, 0, tzinfo=UTC)


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


# Local reminder times


def test_next_nine_oclock_across_the_spring_dst_change() -> None:
    assert next_local_time(sofia(2026, 3, 28, 8, 0), "Europe/Sofia", 9) == datetime(
        2026, 3, 28, 7, 0, tzinfo=UTC
    )
    assert next_local_time(sofia(2026, 3, 28, 10, 0), "Europe/Sofia", 9) == datetime(
        2026, 3, 29, 6, 0, tzinfo=UTC
    )


def test_next_nine_oclock_across_the_autumn_dst_change() -> None:
    assert next_local_time(sofia(2026, 10, 24, 10, 0), "Europe/Sofia", 9) == datetime(
        2026, 10, 25, 7, 0, tzinfo=UTC
    )
    assert next_local_time(sofia(2026, 10, 24, 8, 0), "Europe/Sofia", 9) == datetime(
        2026, 10, 24, 6, 0, tzinfo=UTC
    )


def test_next_local_time_is_in_utc_and_strictly_after_now() -> None:
    now = sofia(2026, 5, 4, 9, 0)
    found = next_local_time(now, "Europe/Sofia", 9)
    assert found.tzinfo is UTC
    assert found == now + timedelta(days=1)


def test_an_hour_skipped_by_the_clocks_going_forward_is_the_moment_of_the_jump() -> None:
    found = next_local_time(sofia(2026, 3, 29, 0, 0), "Europe/Sofia", 3)
    assert found == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert found.astimezone(SOFIA).hour == 4


def test_an_hour_repeated_by_the_clocks_going_back_comes_once() -> None:
    first = next_local_time(sofia(2026, 10, 25, 0, 0), "Europe/Sofia", 3)
    assert first == datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    between = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert next_local_time(between, "Europe/Sofia", 3) == datetime(2026, 10, 26, 1, 0, tzinfo=UTC)


def test_next_local_time_from_the_real_clock() -> None:
    with time_machine.travel(datetime(2026, 10, 24, 21, 0, tzinfo=UTC), tick=False):
        found = next_local_time(datetime.now(UTC), "Europe/Sofia", 9)
    assert found == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)


def test_an_hour_outside_the_day_is_refused() -> None:
    with pytest.raises(ValueError, match="hour"):
        next_local_time(PAID, "Europe/Sofia", 24)


def test_the_local_date_can_be_ahead_of_the_utc_date() -> None:
    assert local_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "Europe/Sofia") == date(
        2026, 3, 29
    )
    assert local_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "UTC") == date(2026, 3, 28)


def test_snoozing_until_tomorrow_skips_todays_reminder_still_ahead() -> None:
    found = snooze_until_tomorrow(sofia(2026, 3, 28, 8, 0), "Europe/Sofia", 9)
    assert found == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)


def test_snoozing_after_local_midnight_means_the_day_after_the_local_date() -> None:
    just_after_midnight = datetime(2026, 10, 24, 21, 30, tzinfo=UTC)  # 00:30 on the 25th in Sofia
    found = snooze_until_tomorrow(just_after_midnight, "Europe/Sofia", 9)
    assert found == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)
    assert found.astimezone(SOFIA) == sofia(2026, 10, 26, 9, 0)
