"""The order board's status actions in a real headless Chromium: the four of them reach the
marketplace exactly as the chat flows do, a bad tracking number is explained on the page, and a
photo of the label fills the number in."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.tracking import CARRIER_NAMES
from testkit.corpora.labels import photo_of_label
from testkit.telegram_stub import StubUser
from tests.e2e.board_pages import act, open_board, set_replica
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import TRACKING, confirm_and_sync, paid_demo_order, words

pytestmark = pytest.mark.usefixtures("browser_available")

#: milliseconds a label photo may take to be read on a machine shared with other work
READING_MS = 45_000


def as_compared(history: list[dict[str, Any]], carrier: str) -> list[dict[str, Any]]:
    """The marketplace's history without what differs between two orders by nature: when, the
    key, and which carrier (with its tracking number) the buyer chose."""
    names = {
        TRACKING[carrier]: "<tracking>",
        f"({CARRIER_NAMES[carrier]})": "(<carrier>)",
        f"({carrier})": "(<carrier>)",
    }
    kept = []
    for entry in history:
        if entry.get("source") != "seller":
            continue
        same: dict[str, Any] = {}
        for key, value in entry.items():
            if key in ("at", "idempotency_key"):
                continue
            if key == "carrier":
                value = "<carrier>"
            elif isinstance(value, str):
                for text, placeholder in names.items():
                    value = value.replace(text, placeholder)
            same[key] = value
        kept.append(same)
    return kept


async def test_the_four_status_actions_reach_the_marketplace_as_the_chat_flows_do(
    bot: RunningBot, seller: StubUser, board: Any
) -> None:
    by_chat, _sale = await paid_demo_order(bot, seller)
    by_board, _sale = await paid_demo_order(bot, seller)
    tracking = TRACKING[by_chat.delivery["carrier"]]
    confirm = words("bg")

    await seller.send(f"/processing {by_chat.number}")
    await seller.wait_for(lambda m: confirm["skip"] in m.button_texts)
    await seller.send("Започнах опаковането")
    await confirm_and_sync(seller, "bg")
    await seller.send(f"/ship {by_chat.number} {tracking}")
    await seller.wait_for(lambda m: confirm["skip"] in m.button_texts)
    await seller.send("Изпратено днес")
    await confirm_and_sync(seller, "bg")
    await seller.send(f"/complete {by_chat.number}")
    await seller.wait_for(lambda m: confirm["skip"] in m.button_texts)
    await seller.send("Получено")
    await confirm_and_sync(seller, "bg")
    await seller.send(f"/refund {by_chat.number}")
    ask = await seller.wait_for(lambda m: confirm["refund"] in m.button_texts)
    await seller.press(ask, confirm["exchange"])
    await seller.next_message()
    await seller.send("Разменихме размера")
    await confirm_and_sync(seller, "bg")

    await open_board(board, bot)
    await act(board, by_board.number, "PROCESSING", comment="Започнах опаковането")
    web_tracking = TRACKING[by_board.delivery["carrier"]]
    await act(
        board, by_board.number, "SHIPPED", tracking_number=web_tracking, comment="Изпратено днес"
    )
    await bot.settle()
    await act(board, by_board.number, "COMPLETE", comment="Получено")
    await act(
        board, by_board.number, "REFUNDED", resolution="exchange", comment="Разменихме размера"
    )
    await bot.settle()

    assert bot.rt.sandbox is not None
    chat = await bot.rt.sandbox.status_history(by_chat.id)
    web = await bot.rt.sandbox.status_history(by_board.id)
    same = as_compared(web, by_board.delivery["carrier"])
    assert same == as_compared(chat, by_chat.delivery["carrier"])
    assert [e["status"] for e in same] == [
        "PROCESSING",
        "SHIPPED",
        "COMPLETE",
        "REFUNDED",
    ]
    assert (await bot.rt.sandbox.order(by_board.id)).status == "REFUNDED"


async def test_a_bad_tracking_number_is_explained_on_the_page_and_nothing_changes(
    bot: RunningBot, seller: StubUser, board: Any
) -> None:
    order, _sale = await paid_demo_order(bot, seller)
    await set_replica(bot, order.number, status="PROCESSING")
    await open_board(board, bot)
    await board.click(f'a.order[data-number="{order.number}"]')
    action = board.locator('details[data-action="SHIPPED"]')
    await action.locator("summary").click()
    await action.locator("[name=tracking_number]").fill("ABC")
    await action.locator("button.confirm").click()
    error = action.locator(".error")
    await error.wait_for(state="visible")
    assert (await error.inner_text()).strip()
    await bot.settle()
    assert bot.rt.sandbox is not None
    assert (await bot.rt.sandbox.order(order.id)).status == "PROCESSED"


async def test_a_photo_of_the_label_fills_in_the_tracking_number(
    bot: RunningBot, seller: StubUser, board: Any
) -> None:
    order, _sale = await paid_demo_order(bot, seller)
    carrier = order.delivery["carrier"]
    await open_board(board, bot)
    await act(board, order.number, "PROCESSING")
    await bot.settle()
    await board.click(f'a.order[data-number="{order.number}"]')
    action = board.locator('details[data-action="SHIPPED"]')
    await action.locator("summary").click()
    photo = photo_of_label(carrier, TRACKING[carrier], seed=1)
    await action.locator("input[name=label]").set_input_files(
        files=[{"name": "label.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    field = action.locator("[name=tracking_number]")
    await board.wait_for_function(
        "value => document.querySelector('details[data-action=SHIPPED] [name=tracking_number]')"
        ".value === value",
        arg=TRACKING[carrier],
        timeout=READING_MS,
    )
    assert await field.input_value() == TRACKING[carrier]
    assert TRACKING[carrier] in await action.locator(".label-note").inner_text()
    await action.locator("button.confirm").click()
    await board.wait_for_selector(".flash:not([hidden])")
    await bot.settle()
    assert bot.rt.sandbox is not None
    remote = await bot.rt.sandbox.order(order.id)
    assert (remote.status, remote.tracking_number) == ("SHIPPED", TRACKING[carrier])
