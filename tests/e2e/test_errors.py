"""An unexpected failure: one translated line for the seller, a short trace for the operators."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from testkit.telegram_stub import TelegramStub
from tests.e2e.conftest import RunningBot, link_demo_seller, started
from tests.e2e.helpers import paid_demo_order

OPERATORS = 9000


@pytest.fixture
async def watched_bot(telegram: TelegramStub, database_url: str) -> AsyncIterator[RunningBot]:
    async with started(
        RunningBot(telegram, database_url, overrides={"admin_chat_id": OPERATORS})
    ) as running:
        yield running


async def test_an_unexpected_error_tells_the_seller_and_alerts_the_operators_once_a_minute(
    watched_bot: RunningBot, telegram: TelegramStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    operators = telegram.user(OPERATORS, first_name="Ops", language_code="en")
    seller = telegram.user(1003, first_name="Мария", language_code="bg")
    await link_demo_seller(seller)
    order, _ = await paid_demo_order(watched_bot, seller)

    async def unreachable(*args: object, **kwargs: object) -> None:
        raise RuntimeError("replica unreachable")

    monkeypatch.setattr(watched_bot.rt.orders, "find", unreachable)
    await seller.send(f"/order {order.number}")
    apology = await seller.wait_for(lambda m: "Нещо се обърка" in (m.text or ""))
    assert "Traceback" not in (apology.text or "")
    alert = await operators.wait_for(lambda m: "RuntimeError" in (m.text or ""))
    assert "replica unreachable" in (alert.text or "")
    assert "send_card" in (alert.text or "")

    # A second failure within the minute: the seller hears about it, the operators are spared.
    await seller.send(f"/order {order.number}")
    await seller.wait_for(lambda m: "Нещо се обърка" in (m.text or ""))
    await asyncio.sleep(0.5)
    assert [m for m in operators.messages if "RuntimeError" in (m.text or "")] == [alert]
