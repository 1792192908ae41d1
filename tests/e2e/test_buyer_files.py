"""A buyer's files through the real bot and the loopback marketplace: every account of the shop
gets the covered file from one scan, the buyer reads on the order's thread what was covered in
which file, and an animated picture is refused with one translated line on both sides."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from testkit.corpora import hostile
from testkit.corpora.files import first_of
from testkit.marketplace_stub import MarketplaceStub
from testkit.telegram_stub import StubUser, TelegramStub
from tests.e2e.conftest import RunningBot, link_marketplace_seller

SHOP = "shop-files"
HIDDEN = "Contact details were hidden"


async def thread_notes(bot: RunningBot, marketplace: MarketplaceStub, order_id: str) -> list[str]:
    """What the bot wrote on the order's thread, once everything due has gone out."""
    await bot.settle(timeout=30)
    return [
        request.json["text"]
        for request in marketplace.requests_for(f"/v1/orders/{order_id}/messages", "POST")
        if request.status == 201
    ]


async def each(users: list[StubUser], predicate: Callable[[Any], bool]) -> list[Any]:
    return await asyncio.gather(*(user.wait_for(predicate, timeout=30) for user in users))


async def test_a_buyers_card_reaches_every_account_covered_from_one_scan_and_the_buyer_is_told(
    live_bot: RunningBot, telegram: TelegramStub, marketplace: MarketplaceStub
) -> None:
    team = [
        await link_marketplace_seller(live_bot, telegram, SHOP, 7101),
        await link_marketplace_seller(live_bot, telegram, SHOP, 7102, "bg"),
    ]
    order = await marketplace.sandbox.create_demo_order(SHOP)
    await each(team, lambda m: order.number in (m.text or ""))
    jobs = live_bot.rt.files.pool.jobs
    card = first_of("card")
    await marketplace.sandbox.buyer_writes(
        order.id, "Здравейте! Ето визитката ми", [("визитка.jpg", card.content_type, card.data)]
    )
    english, bulgarian = await each(team, lambda m: m.photo is not None)
    assert HIDDEN in (english.caption or "")
    assert english.photo == bulgarian.photo != card.data
    assert live_bot.rt.files.pool.jobs == jobs + 1, "one scan for both accounts"
    [note] = await thread_notes(live_bot, marketplace, order.id)
    assert "„визитка.jpg“" in note
    assert "бяха закрити" in note
    assert "\n" not in note


async def test_an_animated_picture_is_refused_with_one_translated_line_on_both_sides(
    live_bot: RunningBot, telegram: TelegramStub, marketplace: MarketplaceStub
) -> None:
    seller = await link_marketplace_seller(live_bot, telegram, SHOP, 7103, "bg")
    order = await marketplace.sandbox.create_demo_order(SHOP)
    sale = await seller.wait_for(lambda m: order.number in (m.text or ""), timeout=10)
    await marketplace.sandbox.buyer_writes(
        order.id, "Look, it moves", [("dance.png", "image/png", hostile.animated_png())]
    )
    refused = await seller.wait_for(lambda m: "анимирана картинка" in (m.text or ""), timeout=30)
    header, reason = (refused.text or "").split("\n")
    assert order.number in header
    assert reason.startswith("⛔")
    [note] = await thread_notes(live_bot, marketplace, order.id)
    assert "“dance.png” was not passed on to the seller: it is an animated picture" in note

    # The other way: the seller's own animated picture goes nowhere, with one line saying why.
    await seller.press(sale, "Подробности")
    card = await seller.wait_for(lambda m: "Пиши на купувача" in m.button_texts)
    await seller.press(card, "Пиши на купувача")
    await seller.wait_for(lambda m: "купувача" in (m.text or "") and "/cancel" in (m.text or ""))
    await seller.send_document(hostile.animated_png(), "dance.png", "image/png")
    answer = await seller.wait_for(lambda m: "Анимирани картинки" in (m.text or ""), timeout=30)
    assert "\n" not in (answer.text or "")
    assert await thread_notes(live_bot, marketplace, order.id) == [note], "nothing more was sent"
