"""Files through the real bot, both ways: contact details read in pictures and PDFs are covered,
clean files pass uncovered, and files that cannot be checked are refused with one line."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image

from bot.scanning.jobs import scan_file
from storage.models import Order, SandboxFile
from testkit.corpora import hostile
from testkit.corpora.files import Sample, first_of
from testkit.telegram_stub import BotMessage, StubUser
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import paid_demo_order
from tests.e2e.test_relay import open_compose, seller_messages

HIDDEN = "Contact details were hidden"


async def photo_from_a_buyer(
    bot: RunningBot, seller: StubUser, text: str, name: str, picture: Sample
) -> BotMessage:
    """A buyer of a new demo order writes with a picture; the photo that reaches the seller."""
    order, _ = await paid_demo_order(bot, seller)
    assert bot.rt.sandbox is not None
    await bot.rt.sandbox.buyer_writes(order.id, text, [(name, picture.content_type, picture.data)])
    return await seller.wait_for(lambda m: m.photo is not None, timeout=30)


async def writing_to_a_buyer(bot: RunningBot, seller: StubUser) -> Order:
    """A new demo order, its seller writing to the buyer ("Message buyer")."""
    order, sale = await paid_demo_order(bot, seller)
    await open_compose(seller, sale)
    return order


async def delivered(seller: StubUser) -> BotMessage:
    """The seller's "✅": the marketplace has the message."""
    return await seller.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=30)


async def test_a_buyers_business_card_photo_reaches_the_seller_covered(
    bot: RunningBot, english_seller: StubUser
) -> None:
    card = first_of("card")
    photo = await photo_from_a_buyer(bot, english_seller, "My card", "me.jpg", card)
    assert photo.photo is not None
    assert photo.photo != card.data
    assert HIDDEN in (photo.caption or "")
    assert scan_file(photo.photo).covered == (), "nothing readable is left to cover"


async def test_a_clean_product_photo_arrives_uncovered(
    bot: RunningBot, english_seller: StubUser
) -> None:
    photo = await photo_from_a_buyer(bot, english_seller, "", "item", first_of("product"))
    assert HIDDEN not in (photo.caption or "")


async def test_a_sellers_invoice_pdf_reaches_the_marketplace_flattened_and_masked(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order = await writing_to_a_buyer(bot, english_seller)
    invoice = hostile.rich_pdf()
    await english_seller.send_document(invoice, "invoice.pdf", "application/pdf")
    told = await english_seller.wait_for(lambda m: "Covered in your PDF" in (m.text or ""))
    assert "phone numbers" in (told.text or "")
    await delivered(english_seller)
    [sent] = await seller_messages(bot, order.id)
    async with bot.rt.db.snapshot() as session:
        stored = await session.get(SandboxFile, sent["attachments"][0]["id"])
    assert stored is not None
    document = pdfium.PdfDocument(stored.data)
    assert document[0].get_textpage().get_text_range() == ""
    assert b"Ivan Petrov" not in stored.data
    assert scan_file(stored.data).covered == ()


async def test_a_sellers_clean_photo_goes_out_without_a_covering_note(
    bot: RunningBot, english_seller: StubUser
) -> None:
    await writing_to_a_buyer(bot, english_seller)
    out = io.BytesIO()
    Image.open(io.BytesIO(first_of("product").data)).convert("RGB").save(out, "JPEG")
    await english_seller.send_photo(out.getvalue(), caption="The blue one")
    await delivered(english_seller)
    assert not [m for m in english_seller.messages if "Covered in your" in (m.text or "")]


async def test_a_sellers_file_is_scanned_once_when_sent_not_again_when_it_goes_out(
    bot: RunningBot, english_seller: StubUser
) -> None:
    await writing_to_a_buyer(bot, english_seller)
    jobs = bot.rt.files.pool.jobs
    await english_seller.send_document(hostile.rich_pdf(), "invoice.pdf", "application/pdf")
    await delivered(english_seller)
    assert bot.rt.files.pool.jobs == jobs + 1


async def test_files_that_cannot_be_checked_are_refused_with_one_line_and_the_bot_goes_on(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, sale = await paid_demo_order(bot, english_seller)
    hostile_files = [
        (hostile.corrupt_jpeg(), "photo.jpg", "image/jpeg", "could not be read"),
        (hostile.huge_png(), "big.png", "image/png", "too large"),
        (hostile.encrypted_pdf(), "locked.pdf", "application/pdf", "encrypted"),
        (hostile.javascript_pdf(), "script.pdf", "application/pdf", "JavaScript"),
    ]
    for data, name, mime, answer in hostile_files:
        await open_compose(english_seller, sale)
        await english_seller.send_document(data, name, mime)
        refused = await english_seller.wait_for(lambda m, a=answer: a in (m.text or ""), timeout=30)
        assert "\n" not in (refused.text or "")
        await english_seller.command("/cancel")
    assert await seller_messages(bot, order.id) == []
    await english_seller.command("/orders")
    await english_seller.wait_for(lambda m: order.number in (m.text or ""))
