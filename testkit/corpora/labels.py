"""Phone photos of parcel labels, generated: the label reader's corpus.

Each :class:`LabelPicture` is a JPEG as Telegram delivers a photo (at most 1280 px a side) with
the carrier the buyer chose and the number a reader must offer, or ``None`` where it must offer
nothing. Labels of Econt, Speedy, Bulgarian Posts (UPU S10), DHL (Express waybill, ``JJD`` piece,
GS1-128 Paket) and UPS shapes are drawn with their tracking barcode, the number printed under it
in groups, addresses and the sender's phone; some carry more codes (a product EAN-13, a reference
Code128, a QR code, a PDF417). Then the photo: perspective, rotation up to ±45°, a table behind,
glare, blur, noise and JPEG quality, all drawn from one seeded random generator, so the corpus is
the same on every machine.

Barcodes come from zxing-cpp's writer, GS1-128 from python-barcode.

    for picture in label_pictures(72):
        ...
"""

from __future__ import annotations

import io
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import barcode
import zxingcpp
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bot.domain.tracking import s10_check_digit, ups_check_digit

_FONTS = Path(__file__).resolve().parents[2] / "bot" / "documents" / "fonts"
#: Telegram scales a photo so that its longer side is at most this many pixels.
PHOTO_SIDE = 1280
CARRIERS = ("econt", "speedy", "bgpost", "dhl", "ups")


@dataclass(frozen=True, slots=True)
class LabelPicture:
    """One photo, the buyer's carrier, and the number to offer (None: offer nothing)."""

    name: str
    data: bytes
    carrier: str
    number: str | None
    #: "label", "several" (more than one code), "print_only" (the barcode is covered),
    #: "wrong_carrier", "no_number", "blurred"
    kind: str


def label_pictures(count: int = 72, *, seed: int = 13) -> list[LabelPicture]:
    """``count`` photos: one in six has no number to offer (another carrier's label, a
    product's barcode, a photo too blurred to read)."""
    return [label_picture(index, seed=seed) for index in range(count)]


def subset(every: int = 8, count: int = 72) -> list[LabelPicture]:
    """A few of the corpus for the tests: every ``every``-th picture."""
    return [label_picture(index) for index in range(0, count, every)]


def label_picture(index: int, *, seed: int = 13) -> LabelPicture:
    """The corpus's ``index``-th picture (each has a random generator of its own)."""
    rng = random.Random(seed * 100_003 + index)
    carrier = CARRIERS[index % len(CARRIERS)]
    slot = index % 12
    if slot == 5:
        return _wrong_carrier(rng, index, carrier)
    if slot == 11:
        return _nothing_usable(rng, index, carrier)
    covered = slot == 10 and (index // 12) % 2 == 0
    return _label_photo(rng, index, carrier, several=slot in (1, 4, 7, 9), covered=covered)


# -- numbers -------------------------------------------------------------------------------------


def tracking_number(rng: random.Random, carrier: str) -> str:
    """A valid number of ``carrier``'s shape (with its check digit where it has one)."""
    digits = string.digits
    if carrier == "econt":
        return "10" + "".join(rng.choices(digits, k=11))
    if carrier == "speedy":
        return "6" + "".join(rng.choices(digits, k=rng.choice((10, 11))))
    if carrier == "bgpost":
        serial = "".join(rng.choices(digits, k=8))
        return f"{rng.choice(('RB', 'RR', 'CP', 'PS'))}{serial}{s10_check_digit(serial)}BG"
    if carrier == "dhl":
        body = str(rng.randrange(10**8, 10**9))
        return f"{body}{int(body) % 7}"
    if carrier == "ups":
        shipper = "".join(rng.choices(string.ascii_uppercase + digits, k=6))
        body = f"{shipper}{rng.choice(('01', '03', '12', '66'))}{rng.randrange(10**6, 10**7)}"
        return f"1Z{body}{ups_check_digit(body)}"
    raise ValueError(carrier)


def grouped(number: str) -> str:
    """How labels print a number: in groups of three or four."""
    if number[:2].isalpha() and number[-2:].isalpha():  # S10
        middle = number[2:-2]
        return f"{number[:2]} {middle[:3]} {middle[3:6]} {middle[6:]} {number[-2:]}"
    size = 4 if len(number) % 4 == 0 else 3
    return " ".join(number[i : i + size] for i in range(0, len(number), size))


# -- drawing -------------------------------------------------------------------------------------


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


def _label(
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


def _product(rng: random.Random) -> Image.Image:
    """Not a label: a product's tag with a price and its EAN-13."""
    tag = Image.new("RGB", (700, 900), tuple(rng.randrange(150, 255) for _ in range(3)))
    draw = ImageDraw.Draw(tag)
    draw.text((40, 60), "Cotton T-shirt, size M", fill="black", font=_font(40, bold=True))
    draw.text((40, 140), f"{rng.randrange(10, 99)}.99 лв.", fill="black", font=_font(60))
    ean = "".join(rng.choices(string.digits, k=12))
    tag.paste(_linear(ean, "EAN13", 400, 160), (150, 500))
    return tag


# -- the photo -----------------------------------------------------------------------------------


def _photo(rng: random.Random, flat: Image.Image, *, blur: float | None = None) -> bytes:
    """``flat`` as a phone sees it: tilted, in perspective, on a table, with glare."""
    w, h = flat.size
    jitter = [rng.uniform(-0.07, 0.07) * s for _ in range(4) for s in (w, h)]
    # The source quadrilateral: upper left, lower left, lower right, upper right.
    corners = (
        jitter[0], jitter[1], jitter[2], h + jitter[3],
        w + jitter[4], h + jitter[5], w + jitter[6], jitter[7],
    )  # fmt: skip
    warped = flat.transform(
        (w, h), Image.Transform.QUAD, corners, Image.Resampling.BICUBIC, fillcolor="white"
    )
    table = tuple(rng.randrange(40, 140) for _ in range(3))
    angle = rng.uniform(-45, 45)
    tilted = warped.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=table)
    margin = rng.randrange(40, 200)
    photo = Image.new("RGB", (tilted.width + 2 * margin, tilted.height + 2 * margin), table)
    photo.paste(tilted, (margin, margin))
    photo.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.BILINEAR)
    _glare(rng, photo)
    radius = rng.uniform(0.0, 1.2) if blur is None else blur
    if radius > 0.2:
        photo = photo.filter(ImageFilter.GaussianBlur(radius))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=rng.randrange(40, 95))
    return out.getvalue()


def _glare(rng: random.Random, photo: Image.Image) -> None:
    """A soft bright patch, as a lamp leaves on glossy label paper."""
    if rng.random() < 0.5:
        return
    w, h = photo.size
    # Drawn and softened at an eighth of the size: a soft patch needs no detail.
    mask = Image.new("L", (w // 8, h // 8), 0)
    cx, cy, r = rng.randrange(w // 8), rng.randrange(h // 8), rng.randrange(w // 80, w // 32)
    ImageDraw.Draw(mask).ellipse((cx - r, cy - r // 2, cx + r, cy + r // 2), fill=150)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1, r // 3))).resize((w, h))
    photo.paste(Image.new("RGB", (w, h), "white"), (0, 0), mask)


def _label_photo(
    rng: random.Random, index: int, carrier: str, *, several: bool, covered: bool = False
) -> LabelPicture:
    number = tracking_number(rng, carrier)
    if carrier == "dhl" and index % 3 == 1:
        number = "JJD" + "".join(rng.choices(string.digits, k=18))
    elif carrier == "dhl" and index % 3 == 2:
        number = "00340434" + "".join(rng.choices(string.digits, k=12))
    kind = "print_only" if covered else "several" if several else "label"
    code39 = carrier == "bgpost" and index % 2 == 0
    data = _photo(rng, _label(rng, carrier, number, several, code39, covered))
    return LabelPicture(f"{index:03}-{carrier}-{kind}", data, carrier, number, kind)


def _wrong_carrier(rng: random.Random, index: int, carrier: str) -> LabelPicture:
    """Another carrier's label, photographed for an order the buyer sends with ``carrier``."""
    other = CARRIERS[(CARRIERS.index(carrier) + 3) % len(CARRIERS)]
    data = _photo(rng, _label(rng, other, tracking_number(rng, other), several=False))
    return LabelPicture(f"{index:03}-{carrier}-wrong_carrier", data, carrier, None, "wrong_carrier")


_NOTHING: tuple[tuple[str, Callable[[random.Random, str], tuple[Image.Image, float | None]]], ...]
_NOTHING = (
    ("no_number", lambda rng, carrier: (_product(rng), None)),
    (
        "blurred",
        lambda rng, carrier: (_label(rng, carrier, tracking_number(rng, carrier), False), 9.0),
    ),
)


def _nothing_usable(rng: random.Random, index: int, carrier: str) -> LabelPicture:
    kind, make = _NOTHING[(index // 12) % len(_NOTHING)]
    flat, blur = make(rng, carrier)
    data = _photo(rng, flat, blur=blur)
    return LabelPicture(f"{index:03}-{carrier}-{kind}", data, carrier, None, kind)


def photo_of_label(carrier: str, number: str, *, seed: int = 0) -> bytes:
    """A phone photo of ``carrier``'s label for ``number``, tilted and in perspective."""
    rng = random.Random(seed)
    return _photo(rng, _label(rng, carrier, number, several=False))


def photo_of_a_product(*, seed: int = 0) -> bytes:
    """A photo of a product's tag: an EAN-13 and a price, no tracking number."""
    rng = random.Random(seed)
    return _photo(rng, _product(rng))


def blurred_photo_of_label(carrier: str, number: str, *, seed: int = 0) -> bytes:
    """A label photographed while the phone moved: nothing on it can be read."""
    rng = random.Random(seed)
    return _photo(rng, _label(rng, carrier, number, several=False), blur=9.0)
