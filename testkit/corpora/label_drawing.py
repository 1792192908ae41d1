"""Parcel labels drawn flat, as the label corpus photographs them: the carrier's header, the
addresses, the sender's phone, the tracking barcode with its number printed under it in groups,
and more codes where real labels have them (a reference Code128, a product EAN-13, a QR code, a
PDF417, a DataMatrix); and, for contrast, a product's tag.

Barcodes come from zxing-cpp's writer, GS1-128 from python-barcode; the text is DejaVu Sans.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import barcode
import zxingcpp
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw, ImageFont

_FONTS = Path(__file__).resolve().parents[2] / "bot" / "documents" / "fonts"


def grouped(number: str) -> str:
    """How labels print a number: in groups of three or four."""
    if number[:2].isalpha() and number[-2:].isalpha():  # S10
        middle = number[2:-2]
        return f"{number[:2]} {middle[:3]} {middle[3:6]} {middle[6:]} {number[-2:]}"
    size = 4 if len(number) % 4 == 0 else 3
    return " ".join(number[i : i + size] for i in range(0, len(number), size))


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(_FONTS / name), size)


def _code(text: str, symbology: str, scale: int) -> Image.Image:
    made = zxingcpp.create_barcode(text, getattr(zxingcpp.BarcodeFormat, symbology))
    pixels = memoryview(made.to_image(scale=scale))
    height, width = pixels.shape[0], pixels.shape[1]
    return Image.frombytes("L", (width, height), pixels.tobytes()).convert("RGB")


def _linear(text: str, symbology: str, width: int, height: int) -> Image.Image:
    """A linear code at most ``width`` wide, each module a whole number of pixels (as a label
    printer draws it), ``height`` high."""
    natural = _code(text, symbology, scale=1).width
    scale = max(1, width // natural)
    code = _code(text, symbology, scale=scale)
    return code.resize((code.width, height), Image.Resampling.NEAREST)


def _gs1(text: str, width: int, height: int) -> Image.Image:
    made = barcode.get("gs1_128", text, writer=ImageWriter())
    image = made.render({"module_width": 0.3, "module_height": 12, "write_text": False})
    return image.convert("RGB").resize((width, height), Image.Resampling.NEAREST)


def _tracking_code(carrier: str, number: str, code39: bool = False) -> Image.Image:
    """The label's big barcode: Code 128 (GS1-128 for DHL Paket), or Code 39, which some
    posts still print for S10 numbers."""
    if code39:
        return _linear(number, "Code39", 740, 150)
    if number.startswith("00340434"):
        return _gs1(number, 640, 160)
    return _linear(number, "Code128", 700, 150)


_NAMES = ("Мария Иванова", "Georgi Petrov", "Shop Ltd", "Елена Димитрова", "Nikolay Stoyanov")
_STREETS = ("ул. Витоша 12", "bul. Bulgaria 88", "ул. Шипка 3, ет. 2", "Tsar Boris III 140")
_CITIES = ("1000 София", "4000 Plovdiv", "9000 Варна", "8000 Burgas")
_HEADERS = {
    "econt": "ЕКОНТ / ECONT EXPRESS",
    "speedy": "SPEEDY",
    "bgpost": "БЪЛГАРСКИ ПОЩИ",
    "dhl": "DHL EXPRESS",
    "ups": "UPS STANDARD",
}


def flat_label(
    rng: random.Random,
    carrier: str,
    number: str,
    several: bool,
    code39: bool = False,
    covered: bool = False,
) -> Image.Image:
    """A flat 760×1000 label: header, addresses, phone, the tracking barcode and its number."""
    label = Image.new("RGB", (760, 1000), "white")
    draw = ImageDraw.Draw(label)
    draw.rectangle((8, 8, 751, 991), outline="black", width=4)
    draw.text((30, 24), _HEADERS[carrier], fill="black", font=_font(40, bold=True))
    small = _font(24)
    y = 100
    for title in ("FROM / ПОДАТЕЛ", "TO / ПОЛУЧАТЕЛ"):
        draw.text((30, y), title, fill="black", font=_font(20, bold=True))
        lines = (rng.choice(_NAMES), rng.choice(_STREETS), rng.choice(_CITIES))
        for offset, line in enumerate(lines):
            draw.text((30, y + 28 + offset * 30), line, fill="black", font=small)
        y += 140
    phone = f"тел. 08{rng.choice('789')} {rng.randrange(100, 999)} {rng.randrange(100, 999)}"
    draw.text((30, y), phone, fill="black", font=small)
    code = _tracking_code(carrier, number, code39)
    label.paste(code, ((760 - code.width) // 2, 560))
    if covered:  # packing tape over the bars: only the printed number is left to read
        draw.rectangle((20, 540, 740, 560 + code.height - 10), fill=(196, 164, 112))
    text = grouped(number)
    font = _font(34, bold=True)
    width = draw.textlength(text, font=font)
    draw.text(((760 - width) / 2, 560 + code.height + 10), text, fill="black", font=font)
    draw.text((30, 940), f"{rng.randrange(1, 30)}.{rng.randrange(1, 12)} kg", font=small, fill=0)
    if several:
        _extra_codes(rng, label, carrier, number)
    return label


def _extra_codes(rng: random.Random, label: Image.Image, carrier: str, number: str) -> None:
    """More codes where real labels have them: a reference, a product EAN, a QR, a PDF417."""
    draw = ImageDraw.Draw(label)
    reference = f"ORD{rng.randrange(100000, 999999)}"
    label.paste(_linear(reference, "Code128", 240, 60), (480, 110))
    draw.text((500, 175), reference, fill="black", font=_font(18))
    ean = "".join(rng.choices(string.digits, k=12))
    label.paste(_linear(ean, "EAN13", 200, 70), (500, 230))
    if carrier == "econt":
        payload = f"https://www.econt.com/services/track-shipment/{number}"
        label.paste(_code(payload, "QRCode", 4).resize((170, 170)), (540, 330))
    elif carrier == "ups":
        junk = "".join(rng.choices(string.ascii_uppercase + string.digits, k=60))
        label.paste(_code(junk, "PDF417", 2).resize((240, 90)), (490, 330))
    else:
        label.paste(_code(reference, "DataMatrix", 6).resize((120, 120)), (580, 330))


def product_tag(rng: random.Random) -> Image.Image:
    """Not a label: a product's tag with a price and its EAN-13."""
    tag = Image.new("RGB", (700, 900), tuple(rng.randrange(150, 255) for _ in range(3)))
    draw = ImageDraw.Draw(tag)
    draw.text((40, 60), "Cotton T-shirt, size M", fill="black", font=_font(40, bold=True))
    draw.text((40, 140), f"{rng.randrange(10, 99)}.99 лв.", fill="black", font=_font(60))
    ean = "".join(rng.choices(string.digits, k=12))
    tag.paste(_linear(ean, "EAN13", 400, 160), (150, 500))
    return tag
