"""The file corpus's files without contact details, however much they look like some: product
photos with prices, sizes and order numbers, EAN barcodes, waybills, the marketplace's own QR
links and its refund form (``bot.documents``)."""

from __future__ import annotations

import random
from datetime import date

from PIL import Image, ImageDraw

from bot.documents.refund_form import RefundFormData, RefundFormItem, render_refund_form
from testkit.corpora import people
from testkit.corpora.drawing import (
    Drawn,
    as_file,
    as_photo,
    code_flyer,
    code_image,
    ean13,
    font,
    text_lines,
)


def marketplace_qr(rng: random.Random) -> Drawn:
    payload = f"https://chopni.bg/orders/{people.order_number(rng)}"
    return code_flyer(rng, payload, "Track your order")


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
    return as_file(image, rng, photo=rng.random() < 0.6)


def ean(rng: random.Random) -> Drawn:
    number = ean13(rng)
    image = Image.new("RGB", (700, 520), (255, 255, 255))
    text_lines(image, [rng.choice(people.PRODUCTS), "500 g"], (40, 30), font(rng, 32), (0, 0, 0), 8)
    image.paste(code_image(number, "EAN13", 3, digits=True), (60, 180))
    return as_file(image, rng, photo=rng.random() < 0.5)


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
    return as_photo(image, rng, max_angle=15)


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
