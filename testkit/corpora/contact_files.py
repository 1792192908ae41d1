"""The file corpus's files with contact details: business cards, chat screenshots,
handwritten-style notes, shipping labels with the sender's phone, QR codes that open a call, a
mail, a contact card or a chat, invoice photos, invoice PDFs and scanned PDFs."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from fpdf import FPDF
from PIL import Image, ImageDraw

from testkit.corpora import people
from testkit.corpora.drawing import (
    FONT_DIR,
    Drawn,
    as_file,
    as_photo,
    code_flyer,
    code_image,
    font,
    handwriting,
    jpeg,
    photographed,
    png,
    text_lines,
)


def card(rng: random.Random) -> Drawn:
    person = people.name(rng)
    image = Image.new("RGB", (640, 360), rng.choice(((255, 255, 255), (250, 245, 230))))
    y = text_lines(image, [person], (40, 40), font(rng, 40, bold=True), (20, 20, 60), 10)
    y = text_lines(image, [rng.choice(people.SHOPS)], (40, y), font(rng, 26), (90, 90, 90), 30)
    lines = [people.contact_line(rng, person) for _ in range(rng.randint(1, 3))]
    text_lines(image, lines, (40, y), font(rng, rng.randint(24, 30)), (0, 0, 0), 14)
    return as_file(image, rng, photo=rng.random() < 0.7)


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
    return as_photo(image, rng, max_angle=20)


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
    return as_photo(image, rng)


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
    return code_flyer(rng, payload, rng.choice(("Scan me!", "New collection", "Thank you")))


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
    return as_photo(invoice_picture(rng, contact=True), rng, max_angle=15)


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
