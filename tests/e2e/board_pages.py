"""Driving the order board in the browser tests: opening it, reading a group's orders, changing
the replica under it, and acting on an order as a seller's thumb would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from storage.models import Order
from tests.e2e.conftest import RunningBot


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
