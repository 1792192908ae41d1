"""Shipping without typing: a label photo gives the tracking number, and a run ships the day.

The taps and typed characters counted here are the README's "fewer taps" table.
"""

from __future__ import annotations

import io
import random
import re

from PIL import Image

from bot.domain.lifecycle import Status
from storage import repositories
from testkit.corpora.labels import (
    blurred_photo_of_label,
    photo_of_a_product,
    photo_of_label,
    tracking_number,
)
from testkit.taps import Counted
from testkit.telegram_stub import StubUser
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import TRACKING, confirm_and_sync, marketplace_status, paid_demo_order

USE_IT = "— Use it"
#: seconds a photo may take to be read on a machine shared with other work
READING = 30.0
CONFIRM = "Change Order Status"


async def _processing(bot: RunningBot, seller: StubUser) -> tuple[str, str]:
    """A paid demo order set PROCESSING and accepted; its number and carrier."""
    order, sale = await paid_demo_order(bot, seller)
    await seller.press(sale, "PROCESSING")
    await confirm_and_sync(seller, "en")
    return order.number, order.delivery["carrier"]


async def test_processing_to_shipped_with_a_label_photo_takes_four_taps_and_no_typing(
    bot: RunningBot, english_seller: StubUser
) -> None:
    number, carrier = await _processing(bot, english_seller)
    saved = english_seller.messages[-1]
    seller = Counted(english_seller)

    await seller.press(saved, "SHIPPED")
    await english_seller.wait_for(lambda m: "photo" in (m.text or ""))
    await seller.send_photo(photo_of_label(carrier, TRACKING[carrier], seed=1))
    offer = await english_seller.wait_for(
        lambda m: any(USE_IT in t for t in m.button_texts), READING
    )
    assert TRACKING[carrier] in offer.button_texts[0]
    await seller.press(offer, USE_IT)
    ask = await english_seller.wait_for(lambda m: CONFIRM in m.button_texts)
    await seller.press(ask, CONFIRM)
    await english_seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)

    assert (seller.taps, seller.typed) == (4, 0)
    order_id = (await bot.rt.orders.find(f"demo-{english_seller.user_id}", number)).id
    assert await marketplace_status(bot, order_id) == "SHIPPED"
    assert bot.rt.sandbox is not None
    history = await bot.rt.sandbox.status_history(order_id)
    assert TRACKING[carrier] in str(history[-1].get("comment"))


async def test_a_run_ships_five_orders_in_three_taps_each(
    bot: RunningBot, english_seller: StubUser
) -> None:
    numbers = [(await _processing(bot, english_seller))[0] for _ in range(5)]
    seller = Counted(english_seller)

    await seller.send("/ship")
    first = await english_seller.wait_for(lambda m: "Shipping run" in (m.text or ""))
    assert "5" in (first.text or "")
    shipped = []
    for position in range(1, 6):
        screen = await english_seller.wait_for(
            lambda m, p=position: f"{p}/5 · Order" in (m.text or "")
        )
        match = re.search(r"Order ([0-9A-Za-z-]+)", screen.text or "")
        assert match is not None
        order = await bot.rt.orders.find(f"demo-{english_seller.user_id}", match[1])
        carrier = order.delivery["carrier"]
        tracking = tracking_number(random.Random(position), carrier)
        await seller.send_photo(photo_of_label(carrier, tracking, seed=position))
        offer = await english_seller.wait_for(
            lambda m: any(USE_IT in t for t in m.button_texts), READING
        )
        assert tracking in offer.button_texts[0]
        await seller.press(offer, USE_IT)
        ask = await english_seller.wait_for(lambda m: CONFIRM in m.button_texts)
        await seller.press(ask, CONFIRM)
        shipped.append(order.number)
    last = await english_seller.wait_for(lambda m: "Shipping run over" in (m.text or ""))
    assert "5 of 5" in (last.text or "")
    await bot.settle()

    assert sorted(shipped) == sorted(numbers)
    for number in numbers:
        order = await bot.rt.orders.find(f"demo-{english_seller.user_id}", number)
        assert order.status == Status.SHIPPED
    # Photo, "Use it" and "Change Order Status" per order; "/ship" typed once.
    assert (seller.taps, seller.typed) == (15, 5)


async def test_the_run_follows_the_earliest_ship_by_and_can_be_stopped(
    bot: RunningBot, english_seller: StubUser
) -> None:
    for _ in range(2):
        await _processing(bot, english_seller)
    runs = bot.rt.runs
    queue = await runs.queue(f"demo-{english_seller.user_id}")
    await english_seller.send("/ship")
    screen = await english_seller.wait_for(lambda m: "1/2 · Order" in (m.text or ""))
    assert queue[0] in (screen.text or "")
    await english_seller.press(screen, "Stop the run")
    last = await english_seller.wait_for(lambda m: "Shipping run over" in (m.text or ""))
    assert "0 of 2" in (last.text or "")


async def test_a_photo_that_gives_no_fitting_number_gets_one_line_and_the_step_stays_open(
    bot: RunningBot, english_seller: StubUser
) -> None:
    number, carrier = await _processing(bot, english_seller)
    await english_seller.send(f"/ship {number}")
    await english_seller.wait_for(lambda m: "photo" in (m.text or ""))

    await english_seller.send_photo(photo_of_a_product(seed=3))
    product = await english_seller.next_message(READING)
    assert "not" in (product.text or "") and "\n" not in (product.text or "")

    await english_seller.send_photo(blurred_photo_of_label(carrier, TRACKING[carrier], seed=4))
    blurred = await english_seller.next_message(READING)
    assert "blurred" in (blurred.text or "")

    other = "ups" if carrier != "ups" else "dhl"
    await english_seller.send_photo(photo_of_label(other, TRACKING[other], seed=5))
    mismatch = await english_seller.next_message(READING)
    assert "barcode, but it is not" in (mismatch.text or "")

    huge = io.BytesIO()
    Image.new("L", (9000, 9000), 255).save(huge, "PNG")
    await english_seller.send_photo(huge.getvalue())
    too_large = await english_seller.next_message(READING)
    assert "too large" in (too_large.text or "")

    # The step is still open: a typed number is taken.
    await english_seller.send(TRACKING[carrier])
    await english_seller.wait_for(lambda m: CONFIRM in m.button_texts)


async def test_a_tracking_number_on_another_order_needs_a_second_confirmation(
    bot: RunningBot, english_seller: StubUser
) -> None:
    first, _carrier = await _processing(bot, english_seller)
    second, carrier = await _processing(bot, english_seller)
    async with bot.rt.db.transaction() as session:
        shipped = await repositories.seller_order(session, f"demo-{english_seller.user_id}", first)
        assert shipped is not None
        shipped.tracking_number = TRACKING[carrier]
        await session.commit()

    await english_seller.send(f"/ship {second} {TRACKING[carrier]}")
    again = await english_seller.wait_for(lambda m: "already on order" in (m.text or ""))
    assert first in (again.text or "")
    assert CONFIRM not in again.button_texts
    await english_seller.press(again, "Yes, use it again")
    await confirm_and_sync(english_seller, "en")


async def test_orders_are_buttons_and_ship_next_starts_the_run(
    bot: RunningBot, english_seller: StubUser
) -> None:
    number, _carrier = await _processing(bot, english_seller)
    await english_seller.send("/orders")
    listing = await english_seller.wait_for(lambda m: "Open orders" in (m.text or ""))
    assert "/order <number>" not in (listing.text or "")
    await english_seller.press(listing, lambda text, data: data == f"o:details:{number}")
    card = await english_seller.wait_for(lambda m: f"Order {number}" in (m.text or ""))
    assert "SHIPPED" in card.button_texts
    await english_seller.press(listing, "🚚 Ship next")
    await english_seller.wait_for(lambda m: "1/1 · Order" in (m.text or ""))


async def test_a_label_sent_as_a_file_is_read_too(
    bot: RunningBot, english_seller: StubUser
) -> None:
    number, carrier = await _processing(bot, english_seller)
    await english_seller.send(f"/ship {number}")
    await english_seller.wait_for(lambda m: "photo" in (m.text or ""))
    photo = photo_of_label(carrier, TRACKING[carrier], seed=7)
    await english_seller.send_document(photo, "label.jpg", "image/jpeg")
    offer = await english_seller.wait_for(
        lambda m: any(USE_IT in t for t in m.button_texts), READING
    )
    assert TRACKING[carrier] in offer.button_texts[0]
