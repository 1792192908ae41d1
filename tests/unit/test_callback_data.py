"""Button data is parsed strictly: what the bot did not produce is refused."""

from __future__ import annotations

import pytest

from bot.presentation.callback_data import (
    Action,
    ForgedCallback,
    OrderCallback,
    Step,
    decode_step,
    step_data,
)


def test_an_order_button_round_trips() -> None:
    data = OrderCallback(Action.SHIPPED, "100234").encode()
    assert OrderCallback.decode(data) == OrderCallback(Action.SHIPPED, "100234")


def test_button_data_fits_telegrams_64_bytes() -> None:
    longest = OrderCallback(Action.PROCESSING, "9" * 40).encode()
    assert len(longest.encode()) <= 64


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "o:delete:100234",
        "o:shipped:",
        "o:shipped:100234; DROP TABLE orders",
        "o:shipped:100234:extra",
        "x:shipped:100234",
        "o:SHIPPED:100234",
        "o:shipped:" + "1" * 41,
    ],
)
def test_forged_order_buttons_are_refused(forged: str | None) -> None:
    with pytest.raises(ForgedCallback):
        OrderCallback.decode(forged)


def test_step_buttons_round_trip_and_forgeries_are_refused() -> None:
    assert decode_step(step_data(Step.CONFIRM)) is Step.CONFIRM
    with pytest.raises(ForgedCallback):
        decode_step("s:launch")
