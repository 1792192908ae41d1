"""An order with the longest history comments still opens: the card is shortened and paged to
fit Telegram's limits (which the loopback Bot API enforces), and a reply Telegram refuses is an
error the seller hears about in one line, not a silence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.lifecycle import MAX_COMMENT_LENGTH
from storage import repositories
from storage.models import Order
from testkit.telegram_stub import StubUser, TelegramStub
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import TRACKING, confirm_and_sync, paid_demo_order


async def test_an_order_with_the_longest_history_comments_opens_within_telegrams_limits(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, sale = await paid_demo_order(bot, english_seller)
    await english_seller.send(f"/processing {order.number}")
    await english_seller.wait_for(lambda m: "Skip" in m.button_texts)
    await english_seller.send("p" * MAX_COMMENT_LENGTH)
    await confirm_and_sync(english_seller, "en")
    await english_seller.send(f"/ship {order.number} {TRACKING[order.delivery['carrier']]}")
    await english_seller.wait_for(lambda m: "Skip" in m.button_texts)
    await english_seller.send("s" * 1950)
    await confirm_and_sync(english_seller, "en")

    await english_seller.send(f"/order {order.number}")
    card = await english_seller.wait_for(lambda m: f"Order {order.number}" in (m.text or ""))
    text = card.text or ""
    assert "SHIPPED" in text and "PROCESSING" in text
    assert "p" * 150 in text and "p" * 250 not in text  # shortened, not dropped
    assert len(text) <= 4096

    # Details on the sale notification opens the same card.
    await english_seller.press(sale, "Details")
    again = await english_seller.wait_for(lambda m: f"Order {order.number}" in (m.text or ""))
    assert again.text == card.text


async def test_a_long_history_is_paged_newest_first_with_buttons_to_turn(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    start = datetime.now(UTC)
    async with bot.rt.db.transaction() as session:
        stored = await session.get(Order, order.id)
        assert stored is not None
        for i in range(12):
            repositories.append_history(
                session,
                stored,
                status="PROCESSING",
                source="marketplace",
                sync_state="remote",
                at=start + timedelta(minutes=i),
                comment=f"note {i:02} " + "n" * 1990,
            )
        await session.commit()

    await english_seller.send(f"/order {order.number}")
    card = await english_seller.wait_for(lambda m: f"Order {order.number}" in (m.text or ""))
    assert "note 11" in (card.text or "") and "note 00" not in (card.text or "")
    assert "Later ▶" not in card.button_texts
    await english_seller.press(card, "◀ Earlier")
    earlier = await english_seller.wait_for(
        lambda m: m.message_id == card.message_id and "note 11" not in (m.text or "")
    )
    assert "Later ▶" in earlier.button_texts
    assert "PROCESSING" in earlier.button_texts or "SHIPPED" in earlier.button_texts
    # The first page, then back to the newest.
    while "◀ Earlier" in earlier.button_texts:
        await english_seller.press(earlier, "◀ Earlier")
        earlier = await english_seller.next_message()
    assert "note 00" in (earlier.text or "")
    await english_seller.press(earlier, "Later ▶")
    later = await english_seller.next_message()
    assert "note 00" not in (later.text or "")


async def test_a_reply_telegram_refuses_is_answered_with_one_line(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    telegram.fail_next("sendMessage", status=400, description="Bad Request: message is too long")
    await english_seller.send(f"/order {order.number}")
    apology = await english_seller.next_message()
    assert apology.text == "Sorry, I could not show that answer here. The operators have been told."
