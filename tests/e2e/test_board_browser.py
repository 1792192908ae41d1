"""The order board in a real headless Chromium, against the running bot and its sandbox
marketplace: the groups, search, the four status actions (reaching the marketplace exactly as
the chat flows do), refused initData, and a 360-pixel phone in Telegram's light and dark themes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.domain.board import end_of_local_day
from bot.domain.tracking import CARRIER_NAMES
from bot.i18n import translator
from storage.models import Order
from testkit.browser import phone_browser, require_browser
from testkit.corpora.labels import photo_of_label
from testkit.telegram_stub import StubUser
from testkit.webapp import DARK_THEME, init_data, script
from tests.e2e.conftest import TOKEN, RunningBot
from tests.e2e.helpers import TRACKING, confirm_and_sync, paid_demo_order, words

pytestmark = pytest.mark.usefixtures("browser_available")

#: milliseconds a label photo may take to be read on a machine shared with other work
READING_MS = 45_000
#: what a thumb presses (a radio button is pressed through its label)
TAP_TARGETS = (
    "a.order, button, summary, nav.tabs a, label.choice, input:not([type=radio]), textarea"
)


@pytest.fixture
def browser_available() -> None:
    require_browser()


def signed(user_id: int, *, token: str = TOKEN, age: timedelta = timedelta(minutes=1)) -> str:
    return init_data(token, user_id, auth_date=datetime.now(UTC) - age, language_code="bg")


@pytest.fixture
async def board(bot: RunningBot, seller: StubUser, tmp_path: Path) -> AsyncIterator[Any]:
    """The board opened by the linked Bulgarian seller, on a 360-pixel phone."""
    async with phone_browser(tmp_path / "profile", script(signed(seller.user_id))) as context:
        page = await context.new_page()
        yield page


async def open_board(page: Any, bot: RunningBot) -> None:
    await page.goto(f"{bot.base_url}/app/")
    await page.wait_for_selector("form[data-search], .error-page")


async def numbers(page: Any, group: str) -> list[str]:
    texts: list[str] = await page.locator(f'section[data-group="{group}"] .num').all_text_contents()
    return texts


async def set_replica(bot: RunningBot, number: str, **values: Any) -> None:
    async with bot.rt.db.transaction() as session:
        await session.execute(update(Order).where(Order.number == number).values(**values))
        await session.commit()


async def test_the_board_lists_open_orders_in_the_groups_they_need(
    bot: RunningBot, seller: StubUser, board: Any
) -> None:
    now = datetime.now(UTC)
    orders = [(await paid_demo_order(bot, seller))[0] for _ in range(5)]
    late, today, later, shipped, complete = (o.number for o in orders)
    await set_replica(bot, late, ship_by=now - timedelta(hours=2))
    await set_replica(
        bot, today, ship_by=end_of_local_day(now, "Europe/Sofia") - timedelta(seconds=30)
    )
    await set_replica(bot, later, ship_by=now + timedelta(days=4))
    await set_replica(bot, shipped, status="SHIPPED", shipped_at=now)
    await set_replica(bot, complete, status="COMPLETE", delivered_at=None)
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(orders[2].id, "Здравейте, кога ще изпратите? 0888 123 456")
    await seller.wait_for(lambda m: "Здравейте" in (m.text or ""))
    await bot.settle()

    await open_board(board, bot)
    assert await numbers(board, "late") == [late]
    assert await numbers(board, "buyer") == [later]
    assert await numbers(board, "ship_today") == [today]
    assert await numbers(board, "prepare") == [later]
    assert await numbers(board, "in_transit") == [shipped]
    assert await numbers(board, "delivery_check") == [complete]
    _ = translator("bg")
    assert _("Late") in (await board.locator('section[data-group="late"] h2').text_content() or "")

    await board.click(f'a.order[data-number="{later}"]')
    await board.wait_for_selector("article.order-page")
    conversation = await board.locator(".conversation").inner_text()
    assert "Здравейте" in conversation and "0888 123 456" not in conversation


async def test_search_finds_an_order_by_number_and_by_buyer(
    bot: RunningBot, seller: StubUser, board: Any
) -> None:
    first, _sale = await paid_demo_order(bot, seller)
    second, _sale = await paid_demo_order(bot, seller)
    await set_replica(bot, second.number, buyer_alias="Калина Б.")
    await open_board(board, bot)
    await board.fill("input[name=q]", second.number)
    await board.press("input[name=q]", "Enter")
    await board.wait_for_selector(f'input[name=q][value="{second.number}"]')
    assert await board.locator(".order .num").all_text_contents() == [second.number]
    await board.fill("input[name=q]", "калина")
    await board.click("form[data-search] button")
    await board.wait_for_selector('input[name=q][value="калина"]')
    assert await board.locator(".order .num").all_text_contents() == [second.number]
    await board.fill("input[name=q]", "")
    await board.press("input[name=q]", "Enter")
    await board.wait_for_selector('input[name=q][value=""]')
    listed = await board.locator(".order .num").all_text_contents()
    assert sorted(listed) == sorted([first.number, second.number])


async def act(page: Any, number: str, status: str, **fields: str) -> None:
    """Open ``status`` on the order page, fill ``fields``, press "Change Order Status"."""
    await page.click(f'a.order[data-number="{number}"]')
    await page.wait_for_selector(f'article.order-page[data-number="{number}"]')
    action = page.locator(f'details[data-action="{status}"]')
    await action.locator("summary").click()
    for name, value in fields.items():
        if name == "resolution":
            await action.locator(f'input[name=resolution][value="{value}"]').check()
        else:
            await action.locator(f'[name="{name}"]').fill(value)
    await action.locator("button.confirm").click()
    await page.wait_for_selector(".flash:not([hidden]), .action .error:not([hidden])")
    refusal = action.locator(".error")
    assert await refusal.count() == 0 or not await refusal.is_visible(), await refusal.inner_text()
    await page.click("a.back")
    await page.wait_for_selector("form[data-search]")


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


@pytest.mark.parametrize(
    "case", ["another bot's signature", "tampered user", "a day and a minute old", "unlinked"]
)
async def test_refused_initdata_shows_an_error_page_and_no_orders(
    bot: RunningBot, seller: StubUser, tmp_path: Path, case: str
) -> None:
    order, _sale = await paid_demo_order(bot, seller)
    raw = {
        "another bot's signature": signed(seller.user_id, token="654321:another-bot-token"),
        "tampered user": signed(seller.user_id).replace(
            f"%22id%22%3A{seller.user_id}", "%22id%22%3A4242"
        ),
        "a day and a minute old": signed(seller.user_id, age=timedelta(hours=24, minutes=1)),
        "unlinked": signed(4343),
    }[case]
    async with phone_browser(tmp_path / "profile", script(raw)) as context:
        page = await context.new_page()
        await open_board(page, bot)
        assert await page.locator(".error-page").is_visible()
        assert await page.locator(".order").count() == 0
        assert order.number not in await page.content()


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_the_board_fits_a_360_pixel_phone_in_telegrams_theme(
    bot: RunningBot, seller: StubUser, tmp_path: Path, theme: str
) -> None:
    for _ in range(3):
        await paid_demo_order(bot, seller)
    params = DARK_THEME if theme == "dark" else None
    stand_in = script(signed(seller.user_id), theme=params, scheme=theme)
    async with phone_browser(tmp_path / "profile", stand_in) as context:
        page = await context.new_page()
        await open_board(page, bot)
        for view in ("board", "order", "performance"):
            if view == "order":
                await page.locator("a.order").first.click()
                await page.wait_for_selector("article.order-page")
                await page.locator("details.action summary").first.click()
            if view == "performance":
                await page.click('nav.tabs a[href="view/performance"]')
                await page.wait_for_selector("section.performance")
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{view} scrolls sideways: {width}px"
            targets = page.locator(TAP_TARGETS)
            for box in [await t.bounding_box() for t in await targets.all()]:
                if box is None:
                    continue  # hidden (a closed action's fields)
                assert box["x"] >= 0 and box["x"] + box["width"] <= 360.5, (view, box)
                assert box["height"] >= 40, (view, box)
            tabs = await page.locator("nav.tabs").bounding_box()
            assert tabs is not None and abs(tabs["y"] + tabs["height"] - 640) < 1
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(23, 33, 43)" if theme == "dark" else "rgb(255, 255, 255)")
        calls = await page.evaluate("window.__telegram")
        assert "ready" in calls and "expand" in calls


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
