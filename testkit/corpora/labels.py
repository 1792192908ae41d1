"""Phone photos of parcel labels, generated: the label reader's corpus.

Each :class:`LabelPicture` is a JPEG as Telegram delivers a photo (at most 1280 px a side) with
the carrier the buyer chose and the number a reader must offer, or ``None`` where it must offer
nothing. Labels of Econt, Speedy, Bulgarian Posts (UPU S10), DHL (Express waybill, ``JJD`` piece,
GS1-128 Paket) and UPS shapes are drawn with their tracking barcode, the number printed under it
in groups, addresses and the sender's phone; some carry more codes (a product EAN-13, a reference
Code128, a QR code, a PDF417). Then the photo: perspective, rotation up to ±45°, a table behind,
glare, blur, noise and JPEG quality, all drawn from one seeded random generator, so the corpus is
the same on every machine. The labels themselves: :mod:`testkit.corpora.label_drawing`.

    for picture in label_pictures(72):
        ...
"""

from __future__ import annotations

import io
import random
import string
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

from bot.domain.tracking import s10_check_digit, ups_check_digit
from testkit.corpora.label_drawing import flat_label, product_tag

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
    data = _photo(rng, flat_label(rng, carrier, number, several, code39, covered))
    return LabelPicture(f"{index:03}-{carrier}-{kind}", data, carrier, number, kind)


def _wrong_carrier(rng: random.Random, index: int, carrier: str) -> LabelPicture:
    """Another carrier's label, photographed for an order the buyer sends with ``carrier``."""
    other = CARRIERS[(CARRIERS.index(carrier) + 3) % len(CARRIERS)]
    data = _photo(rng, flat_label(rng, other, tracking_number(rng, other), several=False))
    return LabelPicture(f"{index:03}-{carrier}-wrong_carrier", data, carrier, None, "wrong_carrier")


_NOTHING: tuple[tuple[str, Callable[[random.Random, str], tuple[Image.Image, float | None]]], ...]
_NOTHING = (
    ("no_number", lambda rng, carrier: (product_tag(rng), None)),
    (
        "blurred",
        lambda rng, carrier: (flat_label(rng, carrier, tracking_number(rng, carrier), False), 9.0),
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
    return _photo(rng, flat_label(rng, carrier, number, several=False))


def photo_of_a_product(*, seed: int = 0) -> bytes:
    """A photo of a product's tag: an EAN-13 and a price, no tracking number."""
    rng = random.Random(seed)
    return _photo(rng, product_tag(rng))


def blurred_photo_of_label(carrier: str, number: str, *, seed: int = 0) -> bytes:
    """A label photographed while the phone moved: nothing on it can be read."""
    rng = random.Random(seed)
    return _photo(rng, flat_label(rng, carrier, number, several=False), blur=9.0)
