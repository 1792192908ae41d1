"""A phone number split over consecutive messages of one side is hidden where it is completed."""

from __future__ import annotations

from testkit.telegram_stub import StubUser
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import paid_demo_order
from tests.e2e.test_relay import seller_messages


async def test_a_buyer_number_sent_in_two_messages_reaches_the_seller_hidden(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(order.id, "Cheaper outside the site? Mine is 0888")
    await english_seller.wait_for(lambda m: "Mine is 0888" in (m.text or ""))
    await bot.rt.sandbox.buyer_writes(order.id, "123 456")
    second = await english_seller.wait_for(
        lambda m: order.number in (m.text or "") and "[•••]" in (m.text or "")
    )
    assert "123 456" not in (second.text or "")
    assert "Contact details were hidden" in (second.text or "")


async def test_a_seller_number_sent_in_two_replies_reaches_the_buyer_hidden(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(order.id, "Can we talk on the phone?")
    relayed = await english_seller.wait_for(lambda m: "on the phone" in (m.text or ""))
    await english_seller.reply(relayed, "Sure, 0888")
    await english_seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)
    await english_seller.reply(relayed, "123 456")
    hidden = await english_seller.wait_for(lambda m: "Hidden from your message" in (m.text or ""))
    assert "phone" in (hidden.text or "")
    await english_seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)
    texts = [sent["text"] for sent in await seller_messages(bot, order.id)]
    assert "Sure, 0888" in texts
    assert "[•••]" in texts
    assert not any("123 456" in text for text in texts)
