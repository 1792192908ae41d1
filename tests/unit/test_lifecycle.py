"""The manual's order life cycle."""

from __future__ import annotations

import pytest

from bot.domain.lifecycle import (
    Resolution,
    Status,
    StatusChange,
    TransitionRefused,
    allowed_next,
    check_transition,
)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.PROCESSED, Status.PROCESSING),
        (Status.PROCESSING, Status.SHIPPED),
        (Status.SHIPPED, Status.COMPLETE),
        (Status.COMPLETE, Status.REFUNDED),
        (Status.PROCESSED, Status.REFUNDED),
        (Status.SHIPPED, Status.REFUNDED),
    ],
)
def test_the_manuals_steps_are_allowed(current: Status, target: Status) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target", "reason"),
    [
        (Status.PROCESSED, Status.COMPLETE, "complete_before_shipped"),
        (Status.PROCESSING, Status.COMPLETE, "complete_before_shipped"),
        (Status.PROCESSED, Status.SHIPPED, "ship_before_processing"),
        (Status.REFUNDED, Status.PROCESSING, "final"),
        (Status.CANCELLED, Status.SHIPPED, "final"),
        (Status.SHIPPED, Status.SHIPPED, "already"),
        (Status.COMPLETE, Status.PROCESSING, "backwards"),
        (Status.SHIPPED, Status.PROCESSING, "backwards"),
        (Status.PROCESSING, Status.CANCELLED, "not_settable"),
        (Status.PROCESSING, Status.PROCESSED, "not_settable"),
    ],
)
def test_changes_outside_the_life_cycle_are_refused_with_a_reason(
    current: Status, target: Status, reason: str
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition(current, target)
    assert refused.value.reason == reason


def test_nothing_follows_refunded_or_cancelled() -> None:
    assert allowed_next(Status.REFUNDED) == ()
    assert allowed_next(Status.CANCELLED) == ()


def test_a_new_sale_offers_processing_first() -> None:
    assert allowed_next(Status.PROCESSED) == (Status.PROCESSING, Status.REFUNDED)


def test_shipping_without_a_tracking_number_is_refused() -> None:
    with pytest.raises(ValueError, match="tracking"):
        StatusChange(Status.SHIPPED)


def test_refunded_without_a_note_is_refused() -> None:
    with pytest.raises(ValueError, match="note"):
        StatusChange(Status.REFUNDED, resolution=Resolution.REFUND)


def test_refunded_without_saying_refund_or_exchange_is_refused() -> None:
    with pytest.raises(ValueError, match="resolution"):
        StatusChange(Status.REFUNDED, comment="Returned 20 EUR")


def test_the_tracking_number_goes_into_the_history_comment() -> None:
    change = StatusChange(
        Status.SHIPPED,
        comment="Packed with care",
        tracking_number="RR123456785BG",
        carrier="bgpost",
    )
    comment = change.history_comment()
    assert comment is not None
    assert "RR123456785BG" in comment
    assert "Packed with care" in comment


def test_a_comment_that_already_names_the_tracking_number_is_kept_as_written() -> None:
    change = StatusChange(
        Status.SHIPPED, comment="Sent as RR123456785BG today", tracking_number="RR123456785BG"
    )
    assert change.history_comment() == "Sent as RR123456785BG today"


def test_a_comment_longer_than_the_marketplace_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        StatusChange(Status.PROCESSING, comment="x" * 2001)
