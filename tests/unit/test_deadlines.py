"""Deadlines and reminder times across daylight saving changes; stall rules: test_stall_rules."""

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
    deliver_by,
    local_date,
    next_local_time,
    return_window_ends,
    ship_by,
    snooze_until_tomorrow,
    stall_reasons,
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
