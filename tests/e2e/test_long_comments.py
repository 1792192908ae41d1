"""A SHIPPED change with a long comment is never lost: the limit holds for the final history
comment (tracking line + comment) and is said before the confirmation; a step that fails keeps
the seller on it with one line, instead of ending the flow in silence."""

from __future__ import annotations

import pytest

from bot.domain.lifecycle import MAX_COMMENT_LENGTH, tracking_line
from storage.models import Order
from testkit.telegram_stub import StubUser
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import TRACKING, confirm_and_sync, marketplace_status, paid_demo_order


async def processing(bot: RunningBot, seller: StubUser) -> tuple[str, str, str]:
    """A paid demo order set PROCESSING; its number, id and a valid tracking number."""
    order, _ = await paid_demo_order(bot, seller)
    await seller.send(f"/processing {order.number}")
    ask = await seller.wait_for(lambda m: "Skip" in m.button_texts)
    await seller.press(ask, "Skip")
    await confirm_and_sync(seller, "en")
    return order.number, order.id, TRACKING[order.delivery["carrier"]]


async def test_a_shipped_comment_too_long_with_its_tracking_line_is_refused_before_confirming(
    bot: RunningBot, english_seller: StubUser
) -> None:
    number, order_id, tracking = await processing(bot, english_seller)
    await english_seller.send(f"/ship {number} {tracking}")
    await english_seller.wait_for(lambda m: "Skip" in m.button_texts)

    await english_seller.send("x" * MAX_COMMENT_LENGTH)
    refusal = await english_seller.next_message()
    assert refusal.text is not None
    assert "with the tracking number line in front" in refusal.text
    assert "Change Order Status" not in refusal.button_texts
    assert len(refusal.text.splitlines()) == 1

    # Still on the comment step: a comment that fits beside the tracking line goes through.
    fits = "y" * (MAX_COMMENT_LENGTH - 200)
    await english_seller.send(fits)
    await confirm_and_sync(english_seller, "en")
    assert await marketplace_status(bot, order_id) == "SHIPPED"
    assert bot.rt.sandbox is not None
    history = await bot.rt.sandbox.status_history(order_id)
    comment = str(history[-1]["comment"])
    assert comment.startswith("Tracking number:") and comment.endswith(fits)
    assert len(comment) <= MAX_COMMENT_LENGTH


async def test_a_comment_at_exactly_the_room_left_by_the_tracking_line_is_accepted(
    bot: RunningBot, english_seller: StubUser
) -> None:
    number, order_id, tracking = await processing(bot, english_seller)
    await english_seller.send(f"/ship {number} {tracking}")
    await english_seller.wait_for(lambda m: "Skip" in m.button_texts)
    async with bot.rt.db.snapshot() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    carrier = order.delivery["carrier"]
    room = MAX_COMMENT_LENGTH - len(tracking_line(tracking, carrier)) - 1
    await english_seller.send("z" * room)
    await confirm_and_sync(english_seller, "en")
    assert await marketplace_status(bot, order_id) == "SHIPPED"


async def test_a_step_that_fails_keeps_the_flow_and_says_so(
    bot: RunningBot, english_seller: StubUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    order, sale = await paid_demo_order(bot, english_seller)
    real = bot.rt.orders.change_status
    failures = []

    async def fails_once(*args: object, **kwargs: object) -> object:
        if not failures:
            failures.append(True)
            raise RuntimeError("the database went away for a moment")
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.rt.orders, "change_status", fails_once)
    await english_seller.press(sale, "PROCESSING")
    ask = await english_seller.wait_for(lambda m: "Skip" in m.button_texts)
    await english_seller.press(ask, "Skip")
    prompt = await english_seller.wait_for(lambda m: "Change Order Status" in m.button_texts)
    await english_seller.press(prompt, "Change Order Status")
    apology = await english_seller.wait_for(lambda m: "Something went wrong" in (m.text or ""))
    assert len((apology.text or "").splitlines()) == 1
    # The same confirmation still works: the flow was kept.
    await english_seller.press(prompt, "Change Order Status")
    await english_seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)
    assert await marketplace_status(bot, order.id) == "PROCESSING"


async def test_a_failing_saved_reply_step_answers_and_keeps_its_step(
    bot: RunningBot, english_seller: StubUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = bot.rt.saved_replies
    real = service.add
    failures: list[bool] = []

    async def fails_once(*args: object, **kwargs: object) -> object:
        if not failures:
            failures.append(True)
            raise RuntimeError("the database went away for a moment")
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "add", fails_once)
    await english_seller.send("/replies")
    listing = await english_seller.wait_for(lambda m: "➕ Add a reply" in m.button_texts)
    await english_seller.press(listing, "➕ Add a reply")
    await english_seller.wait_for(lambda m: "Send the text of the reply" in (m.text or ""))
    await english_seller.send("Thank you for order {order}!")
    apology = await english_seller.next_message()
    assert apology.text == "Something went wrong and nothing was changed. Please try again."
    # Still on the same step: the text sent again is saved.
    await english_seller.send("Thank you for order {order}!")
    await english_seller.wait_for(lambda m: "Saved replies: 1 of 20" in (m.text or ""))
