"""The bot against a marketplace reached over HTTP (not the built-in sandbox): signed webhooks
in, changes out with one Idempotency-Key, an outage that delays but loses nothing, and a 409."""

from __future__ import annotations

from sqlalchemy import update

from bot.marketplace.schemas import Order
from storage.models import MarketplaceOutbox
from testkit.marketplace_stub import MarketplaceStub
from testkit.telegram_stub import BotMessage, StubUser, TelegramStub
from tests.e2e.conftest import RunningBot, link_marketplace_seller
from tests.e2e.helpers import TRACKING, skip_comment_and_confirm, skip_comment_and_save

SELLER = "shop-42"


async def a_sale(
    bot: RunningBot, telegram: TelegramStub, marketplace: MarketplaceStub
) -> tuple[StubUser, Order, BotMessage]:
    """A linked seller, and a sale on the marketplace that has reached them."""
    seller = await link_marketplace_seller(bot, telegram, SELLER, 7007)
    order = await marketplace.sandbox.create_demo_order(SELLER)
    sale = await seller.wait_for(lambda m: order.number in (m.text or ""), timeout=10)
    return seller, order, sale


async def retried_now(bot: RunningBot, seller: StubUser) -> None:
    """The dispatcher's retries made due at once (rather than waited out), until the seller's ✅."""
    async with bot.rt.db.transaction() as session:
        await session.execute(
            update(MarketplaceOutbox).values(next_attempt_at=MarketplaceOutbox.created_at)
        )
        await session.commit()
    bot.rt.dispatcher.wake()
    await seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=15)


async def test_a_sale_webhook_reaches_the_seller(
    live_bot: RunningBot, telegram: TelegramStub, marketplace: MarketplaceStub
) -> None:
    _seller, _order, sale = await a_sale(live_bot, telegram, marketplace)
    assert "PROCESSING" in sale.button_texts


async def test_an_outage_delays_a_change_which_then_goes_through_once(
    live_bot: RunningBot, telegram: TelegramStub, marketplace: MarketplaceStub
) -> None:
    seller, order, sale = await a_sale(live_bot, telegram, marketplace)
    with marketplace.outage():
        await seller.press(sale, "PROCESSING")
        await skip_comment_and_confirm(seller)
        await seller.wait_for(lambda m: (m.text or "").startswith("⏳"))
        await seller.send(f"/order {order.number}")
        card = await seller.wait_for(lambda m: "Order Status History" in (m.text or ""))
        assert "⏳" in (card.text or "")
    await retried_now(live_bot, seller)
    applied = await marketplace.applied_changes(order.id)
    assert [change["status"] for change in applied] == ["PROCESSING"]
    keys = {
        r.headers.get("idempotency-key")
        for r in marketplace.requests_for(f"/v1/orders/{order.id}/status", "POST")
    }
    assert len(keys) == 1


async def test_a_conflict_shows_the_marketplaces_real_status(
    live_bot: RunningBot, telegram: TelegramStub, marketplace: MarketplaceStub
) -> None:
    seller, order, _sale = await a_sale(live_bot, telegram, marketplace)
    marketplace.webhook_url = None  # the cancellation's webhook never arrives
    await marketplace.sandbox.cancel(order.id)
    await seller.send(f"/processing {order.number}")
    await skip_comment_and_confirm(seller)
    refused = await seller.wait_for(lambda m: (m.text or "").startswith("⛔"), timeout=10)
    assert "CANCELLED" in (refused.text or "")


async def test_shipping_sends_the_tracking_number_in_the_comment(
    live_bot: RunningBot, telegram: TelegramStub, marketplace: MarketplaceStub
) -> None:
    seller, order, _sale = await a_sale(live_bot, telegram, marketplace)
    for command in (
        f"/processing {order.number}",
        f"/ship {order.number} {TRACKING[order.delivery.carrier]}",
    ):
        await seller.send(command)
        await skip_comment_and_save(seller)
    applied = await marketplace.applied_changes(order.id)
    assert applied[-1]["status"] == "SHIPPED"
    assert TRACKING[order.delivery.carrier] in applied[-1]["comment"]


async def test_a_reply_written_during_an_outage_reaches_the_buyer_once_it_recovers(
    live_bot: RunningBot, telegram: TelegramStub, marketplace: MarketplaceStub
) -> None:
    seller, order, _sale = await a_sale(live_bot, telegram, marketplace)
    await marketplace.sandbox.buyer_writes(order.id, "Is it in stock?")
    relayed = await seller.wait_for(lambda m: "Is it in stock" in (m.text or ""), timeout=10)
    with marketplace.outage():
        await seller.reply(relayed, "Yes, it ships tomorrow.")
        await seller.wait_for(lambda m: (m.text or "").startswith("⏳"))
    await retried_now(live_bot, seller)
    posts = marketplace.requests_for(f"/v1/orders/{order.id}/messages", "POST")
    assert len({r.headers.get("idempotency-key") for r in posts}) == 1
    delivered = [r for r in posts if r.status == 201]
    assert len(delivered) == 1
