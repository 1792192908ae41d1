"""The shipping screens: the label's offer, the run's order, the order list, the next step."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.domain.lifecycle import Status
from bot.domain.tracking import TrackingNumber
from bot.i18n import translator
from bot.presentation import keyboards, shipping
from bot.presentation.callback_data import SHIP_RUN
from bot.presentation.views import ORDERS_LISTED, Reader
from tests.unit.test_message_limits import assert_fits, max_order

EN = Reader(locale="en", timezone="Europe/Sofia")
_ = translator("en")


def test_the_offer_names_carrier_and_number_on_its_button() -> None:
    text, markup = shipping.label_offer(TrackingNumber("1051602258993", "econt", "Econt"), _)
    assert_fits(text, markup)
    texts = [b.text for row in markup.inline_keyboard for b in row]
    assert texts == ["Econt 1051602258993 — Use it", "Type it instead"]


def test_the_run_screen_fits_telegram_with_every_field_at_its_longest() -> None:
    text, markup = shipping.run_order(max_order(), 49, 50, EN)
    assert_fits(text, markup)
    assert "49/50" in text


def test_every_order_is_a_button_and_ship_next_comes_first_when_some_are_processing() -> None:
    orders = [max_order(f"10{i:04d}") for i in range(ORDERS_LISTED + 5)]
    orders[3].status = Status.PROCESSING.value
    markup = shipping.order_buttons(orders, EN)
    assert markup is not None
    assert_fits("list", markup)
    rows = markup.inline_keyboard
    assert rows[0][0].callback_data == SHIP_RUN
    assert len(rows) == 1 + ORDERS_LISTED
    assert rows[1][0].callback_data == f"o:details:{orders[0].number}"
    assert shipping.order_buttons([], EN) is None
    only = shipping.order_buttons([max_order()], EN)  # SHIPPED: nothing to ship next
    assert only is not None and only.inline_keyboard[0][0].callback_data != SHIP_RUN


def test_a_sale_already_processing_offers_shipped() -> None:
    first = keyboards.sale("100234", _, Status.PROCESSING)["inline_keyboard"][0][0]
    assert first == {"text": "SHIPPED", "callback_data": "o:shipped:100234"}
    fresh = keyboards.sale("100234", _)["inline_keyboard"]
    assert fresh == [
        [{"text": "PROCESSING", "callback_data": "o:processing:100234"}],
        [{"text": "Details", "callback_data": "o:details:100234"}],
    ]


def test_the_sale_buttons_are_the_bot_apis_json_and_leave_out_what_the_bot_cannot_read() -> None:
    plain = keyboards.sale("100234", _)
    assert InlineKeyboardMarkup.de_json(plain, None).to_dict() == plain  # Telegram's shape
    assert keyboards.sale("9" * 70, _) == {"inline_keyboard": []}  # beyond what buttons carry


def test_after_a_change_the_next_step_is_one_button() -> None:
    def only(status: Status) -> object:
        markup = shipping.next_action("100234", status, _)
        assert markup is not None
        [[button]] = markup.inline_keyboard
        return button.callback_data

    assert only(Status.PROCESSING) == "o:shipped:100234"
    assert only(Status.SHIPPED) == SHIP_RUN
    assert only(Status.COMPLETE) == "o:details:100234"


def test_what_the_reader_found_is_said_in_one_line() -> None:
    line = shipping.label_refusal("not_fitting", None, ("dhl",), "Econt", _)
    assert "barcode" in line and "Econt" in line and "DHL" in line and "\n" not in line
    assert "blurred" in shipping.label_refusal("blurred", None, (), "Econt", _)
    assert "1051602258993" in shipping.label_refusal(
        "unchecked", None, (), "Econt", _, "1051602258993"
    )
    assert shipping.run_end(3, 5, _).endswith("3 of 5 orders shipped.")
