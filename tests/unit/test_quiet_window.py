"""Quiet hours read on the seller's wall clock: across midnight, and across a DST change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.quiet_hours import QuietHours, is_quiet

SOFIA = "Europe/Sofia"


@pytest.mark.parametrize(
    ("utc", "quiet"),
    [
        (datetime(2026, 12, 3, 19, 59, tzinfo=UTC), False),  # 21:59 in Sofia (UTC+2)
        (datetime(2026, 12, 3, 20, 0, tzinfo=UTC), True),  # 22:00
        (datetime(2026, 12, 3, 22, 30, tzinfo=UTC), True),  # 00:30, past midnight
        (datetime(2026, 12, 4, 5, 59, tzinfo=UTC), True),  # 07:59
        (datetime(2026, 12, 4, 6, 0, tzinfo=UTC), False),  # 08:00
    ],
)
def test_the_default_window_runs_from_ten_at_night_across_midnight_to_eight(
    utc: datetime, quiet: bool
) -> None:
    assert is_quiet(utc, SOFIA, QuietHours()) is quiet


def test_the_window_follows_the_wall_clock_when_summer_time_begins() -> None:
    # 05:30 UTC is 07:30 in Sofia the day before the change (UTC+2), 08:30 the day after (UTC+3).
    assert is_quiet(datetime(2026, 3, 28, 5, 30, tzinfo=UTC), SOFIA, QuietHours())
    assert not is_quiet(datetime(2026, 3, 29, 5, 30, tzinfo=UTC), SOFIA, QuietHours())


def test_the_window_follows_the_wall_clock_when_summer_time_ends() -> None:
    # 19:30 UTC is 22:30 in Sofia in summer (UTC+3) and 21:30 after the change (UTC+2).
    assert is_quiet(datetime(2026, 10, 24, 19, 30, tzinfo=UTC), SOFIA, QuietHours())
    assert not is_quiet(datetime(2026, 10, 25, 19, 30, tzinfo=UTC), SOFIA, QuietHours())


def test_a_window_within_one_day_and_a_window_switched_off() -> None:
    afternoon = QuietHours(13, 15)
    assert afternoon.covers(13) and afternoon.covers(14)
    assert not afternoon.covers(15) and not afternoon.covers(12)
    assert not QuietHours(22, 8, enabled=False).covers(23)


def test_a_stored_choice_falls_back_to_the_defaults() -> None:
    assert QuietHours.of(None, None, None) == QuietHours(22, 8, True)
    assert QuietHours.of(23, 7, False) == QuietHours(23, 7, False)


def test_a_naive_moment_or_an_hour_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_quiet(datetime(2026, 12, 3, 22), SOFIA, QuietHours())
    with pytest.raises(ValueError, match="range"):
        QuietHours(24, 8)
