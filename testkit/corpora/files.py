"""A corpus of pictures and PDFs, with and without contact details, deterministic by seed.

    from testkit.corpora.files import corpus, representative
    for sample in corpus(seed=17):        # 170 files with contact details, 100 without
        sample.name, sample.kind, sample.contact, sample.data

With contact details: business cards, chat screenshots, handwritten-style notes, shipping labels
with the sender's phone, QR codes that open a call, a mail, a contact card or a chat, invoice
photos, invoice PDFs and scanned PDFs. Without: product photos with prices, sizes and order
numbers, EAN barcodes, the marketplace's own refund form (``bot.documents``), waybills and the
marketplace's own QR links. Photos are turned up to ±30°, put in perspective, blurred, given
grain and saved at varied JPEG quality (see :mod:`testkit.corpora.drawing`).

:func:`representative` is one sample of every kind, for tests that must take seconds.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from PIL import Image, ImageDraw

from bot.documents.refund_form import RefundFormData, RefundFormItem, render_refund_form
from testkit.corpora import people
from testkit.corpora.drawing import (
    FONT_DIR,
    code_image,
    ean13,
    font,
    handwriting,
    jpeg,
    photographed,
    png,
    text_lines,
    webp,
)

#: A drawn file and the angle it was turned by (0 for a scan or a screenshot).
Drawn = tuple[bytes, float]


@dataclass(frozen=True, slots=True)
class Sample:
    """One file of the corpus, and the angle a photographed one was turned by."""

    name: str
    kind: str
    contact: bool
    data: bytes
    pdf: bool
    angle: float = 0.0


def _photo(image: Image.Image, rng: random.Random, max_angle: float = 30.0) -> Drawn:
    picture, angle = photographed(image, rng, max_angle=max_angle)
    return jpeg(picture, rng), angle


def _save(image: Image.Image, rng: random.Random, *, photo: bool) -> Drawn:
    if photo:
        return _photo(image, rng)
    encode = rng.choice((png, lambda im: webp(im, rng), lambda im: jpeg(im, rng, 80, 95)))
    return encode(image), 0.0


def card(rng: random.Random) -> Drawn:
    person = people.name(rng)
    image = Image.new("RGB", (640, 360), rng.choice(((255, 255, 255), (250, 245, 230))))
    y = text_lines(image, [person], (40, 40), font(rng, 40, bold=True), (20, 20, 60), 10)
    y = text_lines(image, [rng.choice(people.SHOPS)], (40, y), font(rng, 26), (90, 90, 90), 30)
    lines = [people.contact_line(rng, person) for _ in range(rng.randint(1, 3))]
    text_lines(image, lines, (40, y), font(rng, rng.randint(24, 30)), (0, 0, 0), 14)
    return _save(image, rng, photo=rng.random() < 0.7)


def chat(rng: random.Random) -> Drawn:
    person = people.name(rng)
    image = Image.new("RGB", (540, 900), (230, 236, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 540, 70), fill=(40, 120, 180))
    text_lines(image, [person], (20, 18), font(rng, 28, bold=True), (255, 255, 255), 0)
    number = people.order_number(rng)
    said = [
        f"Hi, about order {number}",
        rng.choice(("Is it in stock?", "When do you ship?", "Size M please")),
        rng.choice(("Call me on", "Write to me:", "My number is", "Add me:"))
        + " "
        + people.contact_line(rng, person).split(": ")[-1],
        "Thanks!",
    ]
    y = 100
    face = font(rng, 24)
    for index, line in enumerate(said):
        left = index % 2 == 0
        width = int(draw.textlength(line, font=face)) + 40
        x = 20 if left else 520 - width
        draw.rounded_rectangle((x, y, x + width, y + 60), 16, fill=(255, 255, 255))
        draw.text((x + 20, y + 16), line, font=face, fill=(0, 0, 0))
        y += 90
    return (png(image) if rng.random() < 0.7 else jpeg(image, rng, 70, 95)), 0.0


def note(rng: random.Random) -> Drawn:
    person = people.name(rng)
    image = Image.new("RGB", (620, 360), (255, 240, 140))
    ink = rng.choice(((20, 20, 120), (10, 10, 10), (120, 20, 20)))
    first = rng.choice(("call me", "viber", "whatsapp", "my phone", "write me"))
    handwriting(image, first, (40, 60), 40, rng, ink)
    detail = rng.choice((people.mobile(rng), people.email(rng, person)))
    handwriting(image, detail, (40, 170), 38, rng, ink)
    return _photo(image, rng, max_angle=20)


def label(rng: random.Random) -> Drawn:
    sender = people.name(rng)
    image = Image.new("RGB", (820, 520), (255, 255, 255))
    face = font(rng, 26)
    lines = [
        "FROM: " + sender,
        rng.choice(("tel. ", "GSM: ", "phone ")) + people.mobile(rng),
        "TO: " + people.name(rng),
        "Sofia 1000",
    ]
    text_lines(image, lines, (30, 30), face, (0, 0, 0), 12)
    image.paste(code_image("CP" + people.order_number(rng) + "BG", "Code128", 2), (30, 330))
    return _photo(image, rng)


_CONTACT_CODES: tuple[Callable[[random.Random, str], str], ...] = (
    lambda rng, p: "tel:" + people.mobile(rng).replace(" ", ""),
    lambda rng, p: "mailto:" + people.email(rng, p),
    lambda rng, p: f"BEGIN:VCARD\nVERSION:3.0\nFN:{p}\nTEL:{people.mobile(rng)}\nEND:VCARD",
    lambda rng, p: f"MECARD:N:{p};TEL:{people.mobile(rng)};;",
    lambda rng, p: "https://wa.me/359" + str(rng.randint(870000000, 899999999)),
    lambda rng, p: "https://t.me/" + p.replace(" ", "_").lower(),
    lambda rng, p: "viber://chat?number=%2B359" + str(rng.randint(870000000, 899999999)),
    lambda rng, p: "https://" + p.split()[1].lower() + "-shop.com/contact",
)


def contact_qr(rng: random.Random) -> Drawn:
    payload = rng.choice(_CONTACT_CODES)(rng, people.name(rng))
    return _code_flyer(rng, payload, rng.choice(("Scan me!", "New collection", "Thank you")))


def marketplace_qr(rng: random.Random) -> Drawn:
    payload = f"https://chopni.bg/orders/{people.order_number(rng)}"
    return _code_flyer(rng, payload, "Track your order")


def _code_flyer(rng: random.Random, payload: str, title: str) -> Drawn:
    image = Image.new("RGB", (600, 720), rng.choice(((255, 255, 255), (235, 245, 255))))
    text_lines(image, [title], (40, 30), font(rng, 36, bold=True), (30, 30, 30), 0)
    code = code_image(payload, "QRCode", rng.randint(5, 8))
    image.paste(code.resize((420, 420)), (90, 120))
    return _save(image, rng, photo=rng.random() < 0.5)


def invoice_picture(rng: random.Random, *, contact: bool) -> Image.Image:
    person = people.name(rng)
    image = Image.new("RGB", (900, 1200), (255, 255, 255))
    header = [rng.choice(people.SHOPS) + " Ltd", "Sofia, Vitosha 12"]
    if contact:
        header.append(people.contact_line(rng, person))
    y = text_lines(image, header, (50, 50), font(rng, 30, bold=False), (0, 0, 0), 10)
    body = [f"Invoice {rng.randint(1000, 9999)}", f"Order {people.order_number(rng)}"]
    body += [
        f"{item}  x{rng.randint(1, 3)}  {people.price(rng)} BGN"
        for item in rng.sample(people.PRODUCTS, 3)
    ]
    body.append(f"Total: {people.price(rng)} BGN")
    text_lines(image, body, (50, y + 60), font(rng, 26), (0, 0, 0), 18)
    return image


def invoice_photo(rng: random.Random) -> Drawn:
    return _photo(invoice_picture(rng, contact=True), rng, max_angle=15)


def invoice_pdf(rng: random.Random, *, contact: bool = True) -> bytes:
    pdf = FPDF()
    pdf.add_font("dejavu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_page()
    pdf.set_font("dejavu", size=12)
    person = people.name(rng)
    lines = [rng.choice(people.SHOPS) + " Ltd", "Sofia, Vitosha 12"]
    if contact:
        lines += [people.contact_line(rng, person), people.contact_line(rng, person)]
    lines += [f"Invoice {rng.randint(1000, 9999)} / order {people.order_number(rng)}", ""]
    lines += [f"{p}   {people.price(rng)} BGN" for p in rng.sample(people.PRODUCTS, 3)]
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf(rng: random.Random) -> bytes:
    picture, _angle = photographed(invoice_picture(rng, contact=True), rng, max_angle=5)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(jpeg(picture, rng, 60, 85)), x=10, y=10, w=190)
    return bytes(pdf.output())


def product(rng: random.Random) -> Drawn:
    image = Image.new("RGB", (800, 600), tuple(rng.randint(150, 255) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    colour = tuple(rng.randint(0, 120) for _ in range(3))
    draw.ellipse((450, 150, 750, 500), fill=colour)
    item = rng.choice(people.PRODUCTS)
    lines = [item, "Size " + rng.choice(people.SIZES), people.price(rng) + " BGN"]
    lines.append(
        rng.choice(
            (
                f"Order {people.order_number(rng)}",
                f"Art. {rng.randint(10, 99)}-{rng.randint(100, 999)}",
                f"SKU {rng.randint(1000, 99999)}",
            )
        )
    )
    text_lines(image, lines, (40, 60), font(rng, 34), (10, 10, 10), 16)
    return _save(image, rng, photo=rng.random() < 0.6)


def ean(rng: random.Random) -> Drawn:
    number = ean13(rng)
    image = Image.new("RGB", (700, 520), (255, 255, 255))
    text_lines(image, [rng.choice(people.PRODUCTS), "500 g"], (40, 30), font(rng, 32), (0, 0, 0), 8)
    image.paste(code_image(number, "EAN13", 3, digits=True), (60, 180))
    return _save(image, rng, photo=rng.random() < 0.5)


def waybill(rng: random.Random) -> Drawn:
    number = "".join(str(rng.randint(0, 9)) for _ in range(13))
    image = Image.new("RGB", (820, 560), (255, 255, 255))
    lines = [
        rng.choice(("Econt", "Speedy")) + " waybill",
        f"Waybill {number}",
        f"Weight {rng.randint(1, 20) / 2:.1f} kg",
        f"Cash on delivery: {people.price(rng)} BGN",
        f"Office {rng.randint(100, 999)}",
    ]
    text_lines(image, lines, (30, 30), font(rng, 28), (0, 0, 0), 12)
    image.paste(code_image(number, "Code128", 2), (30, 380))
    return _photo(image, rng, max_angle=15)


def refund_form(rng: random.Random) -> bytes:
    items = [
        RefundFormItem(
            rng.choice(people.PRODUCTS), rng.randint(1, 3), f"SKU-{rng.randint(100, 999)}"
        )
    ]
    data = RefundFormData(
        order_number=people.order_number(rng),
        order_date=date(2026, rng.randint(1, 11), rng.randint(1, 28)),
        items=items,
        seller_name=rng.choice(people.SHOPS),
        buyer_alias=f"Buyer {rng.randint(100, 999)}",
    )
    return render_refund_form(data)


#: (kind, how many, draw, is a PDF, has contact details)
KINDS: tuple[tuple[str, int, Callable[[random.Random], Drawn], bool, bool], ...] = (
    ("card", 40, card, False, True),
    ("chat", 25, chat, False, True),
    ("note", 20, note, False, True),
    ("label", 20, label, False, True),
    ("qr", 30, contact_qr, False, True),
    ("invoice photo", 10, invoice_photo, False, True),
    ("invoice pdf", 15, lambda rng: (invoice_pdf(rng), 0.0), True, True),
    ("scanned pdf", 10, lambda rng: (scanned_pdf(rng), 0.0), True, True),
    ("product", 40, product, False, False),
    ("ean", 20, ean, False, False),
    ("waybill", 15, waybill, False, False),
    ("marketplace qr", 10, marketplace_qr, False, False),
    ("refund form", 10, lambda rng: (refund_form(rng), 0.0), True, False),
    ("clean invoice pdf", 5, lambda rng: (invoice_pdf(rng, contact=False), 0.0), True, False),
)


def corpus(seed: int = 17, *, per_kind: int | None = None) -> list[Sample]:
    """The whole corpus (or ``per_kind`` samples of each kind), the same for the same seed."""
    samples = []
    for kind_index, (kind, count, draw, pdf, contact) in enumerate(KINDS):
        for index in range(count if per_kind is None else min(per_kind, count)):
            rng = random.Random(f"{seed}:{kind_index}:{index}")
            name = f"{kind.replace(' ', '-')}-{index + 1}"
            data, angle = draw(rng)
            samples.append(Sample(name, kind, contact, data, pdf, angle))
    return samples


def representative(seed: int = 17) -> list[Sample]:
    """One sample of every kind."""
    return corpus(seed, per_kind=1)
