"""The order board in a real headless Chromium, against the running bot and its sandbox
marketplace: the groups, search, refused initData, and a 360-pixel phone in Telegram's light and
dark themes (the status actions: test_board_actions.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.board import end_of_local_day
from bot.i18n import translator
from testkit.browser import phone_browser
from testkit.telegram_stub import StubUser
from testkit.webapp import DARK_THEME, script
from tests.e2e.board_pages import numbers, open_board, set_replica
from tests.e2e.conftest import RunningBot, signed
from tests.e2e.helpers import paid_demo_order

pytestmark = pytest.mark.usefixtures("browser_available")

#: what a thumb presses (a radio button is pressed through its label)
TAP_TARGETS = (
    "a.order, button, summary, nav.tabs a, label.choice, input:not([type=radio]), textarea"
)


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
                if box is None or box["width"] == box["height"] == 0:
                    continue  # hidden: a closed action's fields (laid out to nothing, at first)
                assert box["x"] >= 0 and box["x"] + box["width"] <= 360.5, (view, box)
                assert box["height"] >= 40, (view, box)
            tabs = await page.locator("nav.tabs").bounding_box()
            assert tabs is not None and abs(tabs["y"] + tabs["height"] - 640) < 1
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(23, 33, 43)" if theme == "dark" else "rgb(255, 255, 255)")
        calls = await page.evaluate("window.__telegram")
        assert "ready" in calls and "expand" in calls
