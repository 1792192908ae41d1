"""What the board groups an open order under, and the weekly figures, as pure rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.board import (
    Exchange,
    Need,
    Shipment,
    Week,
    buyer_waiting,
    end_of_local_day,
    first_reply_waits,
    last_weeks,
    need,
    verdict,
    week_start,
    weekly_figures,
)
from bot.domain.lifecycle import Status

SOFIA, NEW_YORK = "Europe/Sofia", "America/New_York"
MONDAY, SUNDAY = 0, 6
#: Wednesday 2026-12-02 10:00 in Sofia (08:00 UTC)
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
DAY_ENDS = end_of_local_day(NOW, SOFIA)


def test_the_local_day_ends_at_midnight_in_the_sellers_zone() -> None:
    assert datetime(2026, 12, 2, 22, 0, tzinfo=UTC) == DAY_ENDS


def test_an_unshipped_order_past_its_deadline_is_late() -> None:
    for status in (Status.PROCESSED, Status.PROCESSING):
        assert need(status, NOW - timedelta(seconds=1), None, NOW, DAY_ENDS) is Need.LATE
    assert need(Status.PROCESSED, NOW, None, NOW, DAY_ENDS) is Need.SHIP_TODAY


def test_an_order_due_before_local_midnight_ships_today_later_ones_are_to_prepare() -> None:
    assert need(Status.PROCESSING, DAY_ENDS - timedelta(minutes=1), None, NOW, DAY_ENDS) is (
        Need.SHIP_TODAY
    )
    assert need(Status.PROCESSING, DAY_ENDS, None, NOW, DAY_ENDS) is Need.PREPARE
    assert need(Status.PROCESSED, None, None, NOW, DAY_ENDS) is Need.PREPARE


def test_shipped_is_on_the_way_and_complete_waits_for_the_delivery_check() -> None:
    assert need(Status.SHIPPED, NOW - timedelta(days=9), None, NOW, DAY_ENDS) is Need.IN_TRANSIT
    assert need(Status.COMPLETE, None, None, NOW, DAY_ENDS) is Need.DELIVERY_CHECK
    assert need(Status.COMPLETE, None, NOW, NOW, DAY_ENDS) is None
    assert need(Status.REFUNDED, None, None, NOW, DAY_ENDS) is None
    assert need(Status.CANCELLED, None, None, NOW, DAY_ENDS) is None


def test_a_buyer_waits_when_they_wrote_after_the_last_reply() -> None:
    assert buyer_waiting(NOW, None)
    assert buyer_waiting(NOW, NOW - timedelta(minutes=1))
    assert not buyer_waiting(NOW, NOW + timedelta(minutes=1))
    assert not buyer_waiting(None, NOW)


def test_weeks_start_on_the_local_monday_where_weeks_begin_on_monday() -> None:
    # Sunday 23:30 UTC is already Monday in Sofia
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert week_start(sunday_night, SOFIA, first_day=MONDAY) == date(2026, 11, 30)
    weeks = last_weeks(NOW, SOFIA, first_day=MONDAY)
    assert len(weeks) == 12
    assert weeks[-1] == date(2026, 11, 30)
    assert weeks[0] == date(2026, 9, 14)


def test_weeks_start_on_the_local_sunday_where_weeks_begin_on_sunday() -> None:
    # Sunday 23:30 UTC is Sunday evening in New York: that Sunday's week
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert week_start(sunday_night, NEW_YORK, first_day=SUNDAY) == date(2026, 11, 29)
    assert week_start(NOW, SOFIA, first_day=SUNDAY) == date(2026, 11, 29)
    weeks = last_weeks(NOW, NEW_YORK, first_day=SUNDAY)
    assert weeks[-1] == date(2026, 11, 29) and weeks[0] == date(2026, 9, 13)
    assert {week.weekday() for week in weeks} == {SUNDAY}


def test_only_the_first_of_several_waiting_messages_starts_the_clock() -> None:
    t = NOW
    waits = first_reply_waits(
        [
            Exchange("a", t, from_buyer=True),
            Exchange("a", t + timedelta(hours=1), from_buyer=True),
            Exchange("a", t + timedelta(hours=3), from_buyer=False),
            Exchange("a", t + timedelta(hours=4), from_buyer=False),
            Exchange("a", t + timedelta(hours=5), from_buyer=True),
            Exchange("b", t, from_buyer=False),
        ]
    )
    assert waits == [(t, t + timedelta(hours=3)), (t + timedelta(hours=5), None)]


def test_weekly_figures_count_deadlines_met_late_orders_and_the_median_first_reply() -> None:
    monday = date(2026, 11, 23)
    due = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    shipments = [
        Shipment(due, due - timedelta(hours=2), Status.SHIPPED),
        Shipment(due, due, Status.COMPLETE),  # at the deadline is on time
        Shipment(due, due + timedelta(minutes=1), Status.SHIPPED),
        Shipment(due, None, Status.PROCESSING),  # not shipped by the deadline
        Shipment(due, None, Status.CANCELLED),
        Shipment(due, None, Status.REFUNDED),
        Shipment(NOW + timedelta(hours=1), None, Status.PROCESSING),  # not due yet
    ]
    wrote = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    exchanges = [
        Exchange("a", wrote, True),
        Exchange("a", wrote + timedelta(hours=1), False),
        Exchange("b", wrote, True),
        Exchange("b", wrote + timedelta(hours=5), False),
        Exchange("c", wrote, True),
        Exchange("d", wrote, True),
        Exchange("d", wrote + timedelta(hours=2), False),
    ]
    [week, this_week] = weekly_figures(
        [monday, date(2026, 11, 30)], SOFIA, shipments, exchanges, NOW
    )
    assert (week.due, week.on_time, week.late) == (4, 2, 2)
    assert week.on_time_rate == 0.5
    assert week.first_reply_seconds == 2 * 3600
    assert (week.replies, week.unanswered) == (3, 1)
    assert (this_week.due, this_week.first_reply_seconds, this_week.on_time_rate) == (0, None, None)


def test_weekly_figures_count_an_order_in_the_week_its_first_day_begins() -> None:
    # due on Sunday 2026-11-29 at noon in Sofia: the last day of a Monday week, the first of a
    # Sunday week
    due = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    shipments = [Shipment(due, due - timedelta(hours=1), Status.SHIPPED)]
    by_monday = weekly_figures(
        last_weeks(NOW, SOFIA, 2, first_day=MONDAY), SOFIA, shipments, [], NOW
    )
    by_sunday = weekly_figures(
        last_weeks(NOW, SOFIA, 2, first_day=SUNDAY), SOFIA, shipments, [], NOW
    )
    assert [(w.start, w.due) for w in by_monday] == [
        (date(2026, 11, 23), 1),
        (date(2026, 11, 30), 0),
    ]
    assert [(w.start, w.due) for w in by_sunday] == [
        (date(2026, 11, 22), 0),
        (date(2026, 11, 29), 1),
    ]


def test_the_verdict_names_what_matters_most() -> None:
    start = date(2026, 11, 23)

    def week(due: int, on_time: int, reply: float | None = 600, unanswered: int = 0) -> Week:
        return Week(start, due, on_time, due - on_time, reply, 1 if reply else 0, unanswered)

    assert verdict(week(0, 0, None), None) == "quiet"
    assert verdict(week(10, 7), None) == "late"
    assert verdict(week(10, 10, unanswered=1), None) == "slow_replies"
    assert verdict(week(10, 9), week(10, 8)) == "better"
    assert verdict(week(10, 8), week(10, 9)) == "worse"
    assert verdict(week(10, 10), None) == "perfect"
    assert verdict(week(10, 9), None) == "steady"
