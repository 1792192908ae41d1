"""The buyer <-> seller conversation through the real bot, with contact details kept out."""

from __future__ import annotations

import html
import io
import re

from PIL import Image
from sqlalchemy import select

from bot.domain.relay_text import utf16_len
from storage.models import SandboxFile, SandboxRecord
from testkit.corpora.hostile import rich_pdf
from testkit.images import jpeg_with_gps
from testkit.telegram_stub import BotMessage, StubUser, TelegramStub
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import paid_demo_order


async def seller_messages(bot: RunningBot, order_id: str) -> list[dict]:  # type: ignore[type-arg]
    async with bot.rt.db.snapshot() as session:
        rows = await session.scalars(
            select(SandboxRecord).where(
                SandboxRecord.kind == "message", SandboxRecord.parent == order_id
            )
        )
        return [r.data for r in rows.all() if r.data.get("author") == "seller"]


async def open_compose(seller: StubUser, sale: BotMessage) -> None:
    """Details, then Message buyer: the bot asks for the message."""
    await seller.press(sale, "Details")
    card = await seller.wait_for(lambda m: "Message buyer" in m.button_texts)
    await seller.press(card, "Message buyer")
    await seller.wait_for(lambda m: "Write your message" in (m.text or ""))


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
    await open_compose(english_seller, sale)
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


async def test_a_long_buyer_message_and_a_pdf_arrive_split_renamed_with_a_reply_button(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    assert bot.rt.sandbox is not None
    long_text = "Dear seller, " + "the parcel must arrive before Friday. " * 200
    invoice = rich_pdf()
    await bot.rt.sandbox.buyer_writes(
        order.id, long_text, [("Ivan Petrov CV 0888123456.pdf", "application/pdf", invoice)]
    )
    document = await english_seller.wait_for(lambda m: m.document is not None, timeout=20)
    assert document.filename == f"order-{order.number}-file-1.pdf"
    assert document.document is not None
    assert document.document.startswith(b"%PDF-")
    assert document.document != invoice
    assert "Contact details were hidden" in (document.caption or "")
    assert "Reply" in document.button_texts
    parts = [m for m in english_seller.messages if "Friday" in (m.text or "")]
    assert len(parts) == 2
    assert all(order.number in (m.text or "") for m in parts)
    # Telegram counts UTF-16 units of the text once the HTML is parsed.
    shown = [html.unescape(re.sub(r"<[^>]+>", "", m.text or "")) for m in parts]
    assert all(utf16_len(text) <= 4096 for text in shown)
    assert "".join(p.text or "" for p in parts).count("Friday") == 200


async def test_a_reply_by_button_hides_links_behind_words_and_mentions(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, sale = await paid_demo_order(bot, english_seller)
    await open_compose(english_seller, sale)
    text = "See the photos here, or ask Ivan."
    await english_seller.send_with_entities(
        text,
        [
            {"type": "text_link", "offset": 15, "length": 4, "url": "https://t.me/ivan_shop"},
            {
                "type": "text_mention",
                "offset": 28,
                "length": 4,
                "user": {"id": 99, "is_bot": False, "first_name": "Ivan"},
            },
        ],
    )
    hidden = await english_seller.wait_for(lambda m: "Hidden from your message" in (m.text or ""))
    assert "messenger handles" in (hidden.text or "")
    await english_seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)
    [sent] = await seller_messages(bot, order.id)
    assert "ivan_shop" not in sent["text"] and "Ivan" not in sent["text"]
    assert sent["text"].startswith("See the photos here")
    assert "[•••]" in sent["text"]


async def test_voice_stickers_venues_and_forged_files_are_refused_in_a_reply(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(order.id, "Can you send a picture?")
    relayed = await english_seller.wait_for(lambda m: "send a picture" in (m.text or ""))
    await english_seller.send_voice()
    await english_seller.wait_for(lambda m: "carry your voice" in (m.text or ""))
    await english_seller.send_sticker()
    await english_seller.wait_for(lambda m: "Stickers are not passed on" in (m.text or ""))
    await english_seller.send_venue()
    await english_seller.wait_for(lambda m: "Locations are not passed on" in (m.text or ""))
    await english_seller.send_document(
        b"MZ\x90\x00" + b"\x00" * 200, "photo.jpg", "image/jpeg", reply_to=relayed
    )
    await english_seller.wait_for(lambda m: "none of them" in (m.text or ""))
    assert await seller_messages(bot, order.id) == []
    assert telegram.calls_of("forwardMessage") == []
    assert telegram.calls_of("copyMessage") == []


async def test_cancel_leaves_the_compose_step_and_sends_nothing(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, sale = await paid_demo_order(bot, english_seller)
    await open_compose(english_seller, sale)
    await english_seller.send("/cancel")
    await english_seller.wait_for(lambda m: "Nothing was sent to the buyer" in (m.text or ""))
    await english_seller.send("Hello there")
    await english_seller.wait_for(lambda m: "reply to their message" in (m.text or ""))
    await bot.settle()
    assert await seller_messages(bot, order.id) == []


async def test_an_edited_reply_is_not_sent_again(bot: RunningBot, english_seller: StubUser) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(order.id, "Which colour?")
    relayed = await english_seller.wait_for(lambda m: "Which colour" in (m.text or ""))
    sent = await english_seller.reply(relayed, "Red")
    await english_seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)
    await english_seller.edit(sent, "Blue")
    await english_seller.wait_for(lambda m: "do not reach the buyer" in (m.text or ""))
    assert [m["text"] for m in await seller_messages(bot, order.id)] == ["Red"]
