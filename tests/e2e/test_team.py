"""A shop run by two: the owner invites a packer, the packer ships, and what only the owner may
do stays the owner's, whichever way the packer tries (command, button, forged button)."""

from __future__ import annotations

import asyncio
import re

from bot.i18n import translator
from storage.models import Order
from testkit.telegram_stub import BotMessage, StubUser, TelegramStub
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import (
    SECOND_TRACKING,
    TRACKING,
    confirm_and_sync,
    paid_demo_order,
    skip_comment_and_save,
)

_ = translator("en")


async def answer_containing(user: StubUser, text: str) -> str:
    """The bot's next answer to one of ``user``'s button presses that contains ``text``."""
    while text not in (answer := await user.callback_answer()):
        pass
    return answer


async def invite_packer(owner: StubUser, telegram: TelegramStub) -> StubUser:
    """/team invite, and the packer opens the link."""
    await owner.send("/team invite")
    answer = await owner.wait_for(lambda m: "?start=" in (m.text or ""))
    match = re.search(r"https://t\.me/\w+\?start=(?P<code>[A-Z0-9]+)", answer.text or "")
    assert match is not None
    packer = telegram.user(1010, first_name="Maria", language_code="en")
    await packer.send(f"/start {match['code']}")
    await packer.wait_for(lambda m: "as staff" in (m.text or ""))
    return packer


async def a_sale_the_packer_sees(
    bot: RunningBot, telegram: TelegramStub, owner: StubUser
) -> tuple[StubUser, Order, BotMessage]:
    """The owner invites a packer; then a new sale reaches the packer too."""
    packer = await invite_packer(owner, telegram)
    order, _sale = await paid_demo_order(bot, owner)
    sale = await packer.wait_for(lambda m: order.number in (m.text or ""))
    return packer, order, sale


async def test_an_invited_packer_ships_by_button_and_by_command(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    packer, order, sale = await a_sale_the_packer_sees(bot, telegram, english_seller)
    await packer.press(sale, "PROCESSING")
    await skip_comment_and_save(packer)

    await packer.send(f"/ship {order.number} {TRACKING[order.delivery['carrier']]}")
    await skip_comment_and_save(packer)
    assert bot.rt.sandbox is not None
    remote = await bot.rt.sandbox.status_history(order.id)
    assert [entry["status"] for entry in remote] == ["PROCESSING", "SHIPPED"]
    assert "Maria" not in str(remote)  # the marketplace never learns who on the team did it

    await english_seller.send(f"/order {order.number}")
    card = await english_seller.wait_for(lambda m: "Order Status History" in (m.text or ""))
    assert (card.text or "").count("by Maria") == 2

    # The other way round: PROCESSING by command, SHIPPED by the button on the order card.
    second, _sale = await paid_demo_order(bot, english_seller)
    await packer.wait_for(lambda m: f"New sale: order {second.number}" in (m.text or ""))
    await packer.send(f"/processing {second.number}")
    await skip_comment_and_save(packer)
    await packer.send(f"/order {second.number}")
    card = await packer.wait_for(lambda m: "SHIPPED" in m.button_texts)
    await packer.press(card, "SHIPPED")
    await packer.wait_for(lambda m: "Send the tracking number" in (m.text or ""))
    await packer.send(SECOND_TRACKING[second.delivery["carrier"]])
    await skip_comment_and_save(packer)
    remote = await bot.rt.sandbox.status_history(second.id)
    assert [entry["status"] for entry in remote] == ["PROCESSING", "SHIPPED"]


async def test_the_packer_cannot_refund_write_to_buyers_or_change_the_team(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    packer, order, sale = await a_sale_the_packer_sees(bot, telegram, english_seller)

    await packer.send(f"/refund {order.number}")
    refusal = await packer.next_message()
    assert "Only the shop" in (refusal.text or "") and "REFUNDED" in (refusal.text or "")
    await packer.press_data(sale, f"o:refunded:{order.number}")
    refusal = await packer.wait_for(lambda m: "REFUNDED" in (m.text or ""))
    assert "Only the shop" in (refusal.text or "")

    await packer.send(f"/order {order.number}")
    card = await packer.wait_for(lambda m: "Order Status History" in (m.text or ""))
    assert "Message buyer" not in card.button_texts
    assert "REFUNDED" not in card.button_texts
    await packer.press_data(card, f"o:reply:{order.number}")
    refusal = await packer.wait_for(lambda m: "writes to buyers" in (m.text or ""))
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(order.id, "Is it shipped yet?")
    relayed = await packer.wait_for(lambda m: "Is it shipped yet?" in (m.text or ""))
    assert relayed.button_texts == ["Details"]  # no "Reply" for staff
    owners_copy = await english_seller.wait_for(lambda m: "Is it shipped yet?" in (m.text or ""))
    assert "Reply" in owners_copy.button_texts
    await packer.reply(relayed, "Tomorrow")
    await packer.wait_for(lambda m: "writes to buyers" in (m.text or ""))

    await packer.send("/team invite")
    refusal = await packer.wait_for(lambda m: "manages the team" in (m.text or ""))
    await packer.send("/team")
    listing = await packer.wait_for(lambda m: "Your team" in (m.text or ""))
    assert listing.button_texts == []
    await packer.press_data(listing, f"t:rm:{english_seller.user_id}")
    await answer_containing(packer, "manages the team")

    await bot.settle()
    async with bot.rt.db.snapshot() as session:
        from storage.models import MarketplaceOutbox, TelegramAccount

        owner = await session.get(TelegramAccount, english_seller.user_id)
        sent = (await session.execute(MarketplaceOutbox.__table__.select())).all()
    assert owner is not None and owner.seller_id == f"demo-{english_seller.user_id}"
    assert sent == []
    assert (await bot.rt.sandbox.order(order.id)).status == "PROCESSED"


async def test_the_owner_removes_the_packer_who_then_gets_nothing(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    packer = await invite_packer(english_seller, telegram)
    await english_seller.send("/team")
    listing = await english_seller.wait_for(lambda m: "Remove Maria" in m.button_texts)
    assert "Maria" in (listing.text or "")
    await english_seller.press(listing, "Remove Maria")
    await english_seller.wait_for(lambda m: "Maria was removed" in (m.text or ""))
    await packer.wait_for(lambda m: "You were removed" in (m.text or ""))
    await packer.send("/orders")
    answer = await packer.next_message()
    assert "/start" in (answer.text or "")


async def test_two_accounts_pressing_shipped_at_once_make_one_marketplace_change(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    packer = await invite_packer(english_seller, telegram)
    order, _sale = await paid_demo_order(bot, english_seller)
    await english_seller.send(f"/processing {order.number}")
    await skip_comment_and_save(english_seller)

    tracking = TRACKING[order.delivery["carrier"]]
    prompts = []
    for user in (english_seller, packer):
        await user.send(f"/ship {order.number} {tracking}")
        ask = await user.wait_for(lambda m: "Skip" in m.button_texts)
        await user.press(ask, "Skip")
        prompts.append(await user.wait_for(lambda m: "Change Order Status" in m.button_texts))
    await asyncio.gather(
        english_seller.press(prompts[0], "Change Order Status"),
        packer.press(prompts[1], "Change Order Status"),
    )
    answers = await asyncio.gather(
        *(
            user.wait_for(
                lambda m: (m.text or "")[:1] in ("✅", "⏳") or "already" in (m.text or "")
            )
            for user in (english_seller, packer)
        )
    )
    texts = [a.text or "" for a in answers]
    told = [t for t in texts if "already marked" in t]
    assert len(told) == 1, texts
    assert re.search(rf"(Mary|Maria) already marked order {order.number} SHIPPED", told[0])
    await bot.settle()
    assert bot.rt.sandbox is not None
    remote = await bot.rt.sandbox.status_history(order.id)
    assert [entry["status"] for entry in remote].count("SHIPPED") == 1


async def test_staff_sees_the_shipping_address(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    packer = await invite_packer(english_seller, telegram)
    order, _sale = await paid_demo_order(bot, english_seller)
    await packer.send(f"/order {order.number}")
    card = await packer.wait_for(lambda m: "Shipping address" in m.button_texts)
    await packer.press(card, "Shipping address")
    address = await packer.wait_for(lambda m: "Shipping address for" in (m.text or ""))
    assert order.ship_to is not None
    assert order.ship_to["line1"] in (address.text or "")


async def test_another_sellers_account_cannot_use_the_team_buttons(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    packer = await invite_packer(english_seller, telegram)
    stranger = telegram.user(2020, first_name="Eve", language_code="en")
    await stranger.send("/start")
    await stranger.wait_for(lambda m: "/demo" in (m.text or ""))
    await english_seller.send("/team")
    listing = await english_seller.wait_for(lambda m: "Remove Maria" in m.button_texts)
    await stranger.press_data(listing, f"t:rm:{packer.user_id}")
    await answer_containing(stranger, "not on your team")
    async with bot.rt.db.snapshot() as session:
        from storage.models import TelegramAccount

        still = await session.get(TelegramAccount, packer.user_id)
    assert still is not None and still.seller_id == f"demo-{english_seller.user_id}"


__all__ = ["confirm_and_sync", "invite_packer"]
