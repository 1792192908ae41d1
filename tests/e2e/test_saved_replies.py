"""Saved replies through the real bot: the owner keeps them, answering a buyer offers them, the
buyer gets them filled in and masked; staff and other shops' accounts change nothing."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Order, SandboxRecord, SavedReply
from testkit.telegram_stub import BotMessage, StubUser, TelegramStub
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import TRACKING, confirm_and_sync, paid_demo_order
from tests.e2e.test_team import answer_containing, invite_packer

TEMPLATE = "Hi {buyer}! Order {order} left with {carrier}, tracking {tracking}."


async def save_reply(owner: StubUser, text: str) -> BotMessage:
    """/replies, "Add a reply", the text: the list that comes back."""
    await owner.send("/replies")
    listing = await owner.wait_for(lambda m: "➕ Add a reply" in m.button_texts)
    await owner.press(listing, "➕ Add a reply")
    await owner.wait_for(lambda m: "Send the text of the reply" in (m.text or ""))
    await owner.send(text)
    return await owner.wait_for(lambda m: "Saved replies:" in (m.text or ""))


async def stored(bot: RunningBot, seller_id: str) -> list[str]:
    async with bot.rt.db.snapshot() as session:
        rows = await session.scalars(
            select(SavedReply)
            .where(SavedReply.seller_id == seller_id)
            .order_by(SavedReply.position)
        )
        return [row.text for row in rows]


async def test_a_reply_with_a_contact_is_refused_with_the_reason_and_a_good_one_is_saved(
    bot: RunningBot, english_seller: StubUser
) -> None:
    await english_seller.send("/replies")
    listing = await english_seller.wait_for(lambda m: "➕ Add a reply" in m.button_texts)
    await english_seller.press(listing, "➕ Add a reply")
    await english_seller.wait_for(lambda m: "Send the text" in (m.text or ""))
    await english_seller.send("Questions? Call 0888 123 456 about {order}")
    refusal = await english_seller.next_message()
    assert "phone numbers" in (refusal.text or "") and "Not saved" in (refusal.text or "")
    await english_seller.send("Your {parcel} is on its way")
    refusal = await english_seller.next_message()
    assert "{parcel} is not a placeholder" in (refusal.text or "")
    await english_seller.send(TEMPLATE)
    saved = await english_seller.wait_for(lambda m: "Saved replies: 1 of 20" in (m.text or ""))
    assert "{tracking}" in (saved.text or "")
    assert await stored(bot, f"demo-{english_seller.user_id}") == [TEMPLATE]


async def test_a_saved_reply_reaches_the_buyer_filled_in_and_masked(
    bot: RunningBot, english_seller: StubUser
) -> None:
    await save_reply(english_seller, TEMPLATE)
    order, _sale = await paid_demo_order(bot, english_seller)
    tracking = TRACKING[order.delivery["carrier"]]
    await english_seller.send(f"/processing {order.number}")
    await english_seller.wait_for(lambda m: "Skip" in m.button_texts)
    await english_seller.send("-")
    await confirm_and_sync(english_seller, "en")
    await english_seller.send(f"/ship {order.number} {tracking}")
    await english_seller.wait_for(lambda m: "Skip" in m.button_texts)
    await english_seller.send("-")
    await confirm_and_sync(english_seller, "en")
    async with bot.rt.db.transaction() as session:
        replica = await session.get(Order, order.id)
        assert replica is not None
        replica.buyer_alias = "Ivan 0888 123 456"  # a value from the order that is a contact
        await session.commit()

    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(order.id, "Where is my parcel?")
    relayed = await english_seller.wait_for(lambda m: "Where is my parcel?" in (m.text or ""))
    await english_seller.press(relayed, "Reply")
    prompt = await english_seller.wait_for(lambda m: "Write your message" in (m.text or ""))
    await english_seller.press(prompt, lambda text, _data: text.startswith("💬 Hi {buyer}"))
    preview = await english_seller.wait_for(lambda m: "will read" in (m.text or ""))
    expected = f"Hi Ivan [•••]! Order {order.number} left with "
    assert expected in (preview.text or "")
    assert f"tracking {tracking}." in (preview.text or "")
    assert "0888" not in (preview.text or "")
    await english_seller.press(preview, "Send to the buyer")
    await english_seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)

    async with bot.rt.db.snapshot() as session:
        rows = await session.scalars(
            select(SandboxRecord).where(
                SandboxRecord.kind == "message", SandboxRecord.parent == order.id
            )
        )
        sent = [r.data["text"] for r in rows.all() if r.data.get("author") == "seller"]
    assert len(sent) == 1
    assert sent[0].startswith(expected)
    assert sent[0].endswith(f"tracking {tracking}.")
    assert "{" not in sent[0] and "0888" not in sent[0]


async def test_a_reply_naming_a_value_the_order_lacks_is_not_offered_half_filled(
    bot: RunningBot, english_seller: StubUser
) -> None:
    await save_reply(english_seller, TEMPLATE)
    _order, sale = await paid_demo_order(bot, english_seller)
    await english_seller.press(sale, "Details")
    card = await english_seller.wait_for(lambda m: "Message buyer" in m.button_texts)
    await english_seller.press(card, "Message buyer")
    prompt = await english_seller.wait_for(lambda m: "Write your message" in (m.text or ""))
    await english_seller.press(prompt, lambda text, _data: text.startswith("💬"))
    await answer_containing(english_seller, "no {tracking} yet")


async def test_the_owner_reorders_and_deletes_replies(
    bot: RunningBot, english_seller: StubUser
) -> None:
    seller_id = f"demo-{english_seller.user_id}"
    await save_reply(english_seller, "First: thank you for your order {order}!")
    listing = await save_reply(english_seller, "Second: it ships by {ship_by}.")
    await english_seller.press(listing, "⬆️ 2")
    await english_seller.wait_for(lambda m: (m.text or "").find("1. Second") >= 0)
    assert (await stored(bot, seller_id))[0].startswith("Second")
    await english_seller.press(listing, "🗑 1")  # the list as it is now, after the move
    await english_seller.wait_for(lambda m: "Saved replies: 1 of 20" in (m.text or ""))
    assert await stored(bot, seller_id) == ["First: thank you for your order {order}!"]


async def test_staff_and_another_shop_cannot_manage_or_use_the_replies(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    seller_id = f"demo-{english_seller.user_id}"
    listing = await save_reply(english_seller, TEMPLATE)
    [reply_id] = [
        int(d.split(":")[-1]) for _t, d in listing.buttons if d and d.startswith("sr:del:")
    ]
    packer = await invite_packer(english_seller, telegram)
    await packer.send("/replies")
    refusal = await packer.next_message()
    assert "manages the saved replies" in (refusal.text or "")
    await packer.press_data(listing, f"sr:del:{reply_id}")
    await answer_containing(packer, "manages the saved replies")
    await packer.press_data(listing, f"sr:edit:{reply_id}")
    await answer_containing(packer, "manages the saved replies")
    await packer.press_data(listing, f"sr:use:{reply_id}")
    await answer_containing(packer, "This step is over")

    stranger = telegram.user(2030, first_name="Eve", language_code="en")
    await stranger.send("/start")
    await stranger.wait_for(lambda m: "/demo" in (m.text or ""))
    await stranger.press_data(listing, f"sr:del:{reply_id}")
    await answer_containing(stranger, "no longer there")
    await stranger.press_data(listing, "sr:del:abc")
    await answer_containing(stranger, "no longer valid")
    assert await stored(bot, seller_id) == [TEMPLATE]
