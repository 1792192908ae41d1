"""The buyer <-> seller conversation through the real bot, with contact details kept out."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from storage.models import SandboxFile, SandboxRecord
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import paid_demo_order
from tests.support.images import jpeg_with_gps
from tests.support.telegram_stub import StubUser, TelegramStub


async def seller_messages(bot: RunningBot, order_id: str) -> list[dict]:  # type: ignore[type-arg]
    async with bot.rt.db.snapshot() as session:
        rows = await session.scalars(
            select(SandboxRecord).where(
                SandboxRecord.kind == "message", SandboxRecord.parent == order_id
            )
        )
        return [r.data for r in rows.all() if r.data.get("author") == "seller"]


async def test_a_buyer_message_arrives_masked_with_its_photo_stripped(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    assert bot.rt.sandbox is not None
    photo = jpeg_with_gps()
    await bot.rt.sandbox.buyer_writes(
        order.id,
        "Hello! Call me on 0888 123 456 or write to ivan.petrov@gmail.com, thanks",
        [("Ivan Petrov 0888123456.jpg", "image/jpeg", photo)],
    )
    text = await english_seller.wait_for(
        lambda m: order.number in (m.text or "") and "Hello" in (m.text or "")
    )
    assert "0888" not in (text.text or "")
    assert "gmail" not in (text.text or "")
    assert "[•••]" in (text.text or "")
    picture = await english_seller.wait_for(lambda m: m.photo is not None, timeout=10)
    assert picture.photo is not None
    image = Image.open(io.BytesIO(picture.photo))
    assert not image.getexif()
    assert "Petrov" not in (picture.filename or "")


async def test_a_telegram_reply_reaches_the_buyer_masked(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(order.id, "When will you ship it?")
    relayed = await english_seller.wait_for(lambda m: "When will you ship" in (m.text or ""))
    await english_seller.reply(relayed, "Tomorrow. Questions? viber 0899 111 222")
    hidden = await english_seller.wait_for(lambda m: "Hidden from your message" in (m.text or ""))
    assert "phone" in (hidden.text or "")
    await english_seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)
    [sent] = await seller_messages(bot, order.id)
    assert sent["text"].startswith("Tomorrow.")
    assert "0899" not in sent["text"]


async def test_the_message_buyer_button_sends_a_photo_with_its_caption(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, sale = await paid_demo_order(bot, english_seller)
    await english_seller.press(sale, "Details")
    card = await english_seller.wait_for(lambda m: "Message buyer" in m.button_texts)
    await english_seller.press(card, "Message buyer")
    await english_seller.wait_for(lambda m: "Write your message" in (m.text or ""))
    await english_seller.send_photo(jpeg_with_gps(), caption="This is the colour you asked about")
    await english_seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)
    [sent] = await seller_messages(bot, order.id)
    assert sent["text"] == "This is the colour you asked about"
    assert len(sent["attachments"]) == 1
    async with bot.rt.db.snapshot() as session:
        stored = await session.get(SandboxFile, sent["attachments"][0]["id"])
    assert stored is not None
    assert not Image.open(io.BytesIO(stored.data)).getexif()


async def test_contact_cards_and_locations_are_refused_and_nothing_is_forwarded(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(order.id, "Where are you?")
    await english_seller.wait_for(lambda m: "Where are you" in (m.text or ""))
    await english_seller.send_contact()
    refusal = await english_seller.wait_for(lambda m: "Contact cards" in (m.text or ""))
    assert refusal.text
    await english_seller.send_location()
    await english_seller.wait_for(lambda m: "Locations are not passed on" in (m.text or ""))
    assert await seller_messages(bot, order.id) == []
    assert telegram.calls_of("forwardMessage") == []
