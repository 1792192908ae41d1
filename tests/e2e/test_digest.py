"""The daily digest through the real bot: it arrives once, and its buttons open the right flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.models import Order, Seller
from testkit.telegram_stub import StubUser
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import paid_demo_order


async def _overdue(bot: RunningBot, order_id: str, status: str = "PROCESSING") -> None:
    async with bot.rt.db.transaction() as session:
        order = await session.get(Order, order_id)
        assert order is not None
        order.status = status
        order.ship_by = datetime.now(UTC) - timedelta(hours=2)
        await session.commit()


async def test_an_order_past_its_ship_by_arrives_in_the_digest_once_and_its_button_works(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    await _overdue(bot, order.id)
    response = await bot.admin("POST", "/admin/reminders/run")
    assert response.json() == {"sent": 1}
    digest = await english_seller.wait_for(lambda m: "Orders that need you" in (m.text or ""))
    assert order.number in (digest.text or "")
    assert (await bot.admin("POST", "/admin/reminders/run")).json() == {"sent": 0}

    await english_seller.press(digest, f"SHIPPED · {order.number}")
    checklist = await english_seller.wait_for(lambda m: "warranty card" in (m.text or ""))
    assert order.number in (checklist.text or "")


async def test_snooze_sets_an_order_aside_until_tomorrow(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    await _overdue(bot, order.id)
    await bot.admin("POST", "/admin/reminders/run")
    digest = await english_seller.wait_for(lambda m: "Orders that need you" in (m.text or ""))
    await english_seller.press(digest, f"Snooze {order.number}")
    answer = await english_seller.wait_for(lambda m: "set aside" in (m.text or ""))
    assert order.number in (answer.text or "")
    async with bot.rt.db.snapshot() as session:
        stored = await session.get(Order, order.id)
    assert stored is not None
    assert stored.snoozed_until is not None
    assert stored.snoozed_until > datetime.now(UTC)


async def test_a_seller_with_the_digest_off_gets_nothing(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    await _overdue(bot, order.id)
    await english_seller.send("/settings")
    screen = await english_seller.wait_for(lambda m: "Turn the digest off" in m.button_texts)
    await english_seller.press(screen, "Turn the digest off")
    await english_seller.wait_for(lambda m: "Turn the digest on" in m.button_texts)
    assert (await bot.admin("POST", "/admin/reminders/run")).json() == {"sent": 0}


async def test_settings_store_zone_hour_and_language(bot: RunningBot, seller: StubUser) -> None:
    await seller.send("/settings")
    screen = await seller.wait_for(lambda m: "Europe/London" in " ".join(m.button_texts))
    await seller.press(screen, "Europe/London")
    screen = await seller.wait_for(lambda m: "• Europe/London" in m.button_texts)
    await seller.press(screen, "18:00")
    screen = await seller.wait_for(lambda m: "• 18:00" in m.button_texts)
    await seller.press(screen, "🇬🇧 English")
    await seller.wait_for(
        lambda m: (m.text or "").startswith("<b>Settings") or "Settings" in (m.text or "")
    )
    async with bot.rt.db.snapshot() as session:
        shop = await session.get(Seller, f"demo-{seller.user_id}")
    assert shop is not None
    assert (shop.timezone, shop.reminder_hour) == ("Europe/London", 18)
    await seller.send("/help")
    help_text = await seller.next_message()
    assert "New sales arrive here" in (help_text.text or "")


async def test_a_typed_time_zone_is_stored_and_an_unknown_one_gets_one_line(
    bot: RunningBot, english_seller: StubUser
) -> None:
    await english_seller.send("/settings tz Mars/Olympus")
    refusal = await english_seller.next_message()
    assert (refusal.text or "").startswith("Unknown time zone Mars/Olympus.")
    await english_seller.send("/settings timezone America/New_York")
    await english_seller.wait_for(lambda m: "America/New_York" in (m.text or ""))
    async with bot.rt.db.snapshot() as session:
        shop = await session.get(Seller, f"demo-{english_seller.user_id}")
    assert shop is not None and shop.timezone == "America/New_York"
