"""The label reader's picture work, in the worker process: open, turn, sharpen, decode, read.

:func:`bot.scanning.labels.read_label` (the job) imports this module in the worker, so the bot's
own process never loads Pillow or the code decoder.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import Any

import zxingcpp
from PIL import Image, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

from bot.domain.labels import Finding, LabelRefused, Source

#: The longer side a photo is read at: a phone's 4000 px photo holds no more for a barcode
#: than this, and every try costs in proportion to the pixels.
READ_SIDE = 1600
#: Turns tried, in this order, when the straight picture gives nothing that fits.
ANGLES = (15, -15, 30, -30, 45, -45)
#: Below this edge strength (variance of the Laplacian, 0-255 grey) a photo is called blurred.
BLUR_THRESHOLD = 60.0

_LINEAR_2D = {"QRCode", "MicroQRCode", "RMQRCode", "DataMatrix", "PDF417", "Aztec", "MaxiCode"}
_LAPLACIAN = ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)


def sharpness(picture: Image.Image) -> float:
    """The variance of the picture's Laplacian: low for a blurred photo, high for a sharp one."""
    small = picture.copy()
    small.thumbnail((800, 800))
    return float(ImageStat.Stat(small.filter(_LAPLACIAN)).var[0])


def open_label(data: bytes, max_pixels: int) -> Image.Image:
    """The picture in grey, upright and at most :data:`READ_SIDE` a side; refused if it is not
    a picture or has more than ``max_pixels`` pixels (checked before any pixel is decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                opened = Image.open(io.BytesIO(data))
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise LabelRefused("too_large") from None
            width, height = opened.size
            if width * height > max_pixels:
                raise LabelRefused("too_large")
            # A JPEG decodes straight to a fraction of its size: four times faster for a phone's
            # full-size photo, and nothing a barcode needs is lost.
            opened.draft("L", (READ_SIDE, READ_SIDE))
            image = ImageOps.exif_transpose(opened).convert("L")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LabelRefused("too_large") from None
    except UnidentifiedImageError:
        raise LabelRefused("not_an_image") from None
    except OSError:  # truncated or corrupt
        raise LabelRefused("not_an_image") from None
    image.thumbnail((READ_SIDE, READ_SIDE), Image.Resampling.BILINEAR)
    return image


def variants(picture: Image.Image) -> Iterator[Image.Image]:
    """The picture as it is, turned, with its contrast stretched, and enlarged."""
    crisp = ImageOps.autocontrast(picture, cutoff=2).filter(
        ImageFilter.UnsharpMask(radius=2, percent=150, threshold=3)
    )
    yield picture
    for angle in ANGLES:
        yield _turned(picture, angle)
    yield crisp
    for angle in ANGLES:
        yield _turned(crisp, angle)
    if max(picture.size) < READ_SIDE:
        factor = READ_SIDE / max(picture.size)
        size = (round(picture.width * factor), round(picture.height * factor))
        yield picture.resize(size, Image.Resampling.BICUBIC)


def printed_lines(picture: Image.Image) -> list[str]:
    """The lines of print the OCR engine reads with confidence."""
    from bot.scanning.ocr import MIN_SCORE, read_lines

    return [line.text for line in read_lines(picture) if line.score >= MIN_SCORE]


def _turned(picture: Image.Image, angle: float) -> Image.Image:
    return picture.rotate(angle, Image.Resampling.BILINEAR, expand=True, fillcolor=255)


def decode(picture: Image.Image) -> Iterator[Finding]:
    total = float(picture.width * picture.height)
    for code in zxingcpp.read_barcodes(picture):
        if not code.valid or not code.text:
            continue
        symbology = code.format.name
        source = Source.CODE_2D if symbology in _LINEAR_2D else Source.BARCODE
        yield Finding(code.text, source, symbology, _area(code.position) / total)


def _area(position: Any) -> float:
    """The area of the code's quadrilateral (the shoelace formula)."""
    points = [
        position.top_left,
        position.top_right,
        position.bottom_right,
        position.bottom_left,
    ]
    twice = 0
    for here, after in zip(points, points[1:] + points[:1], strict=True):
        twice += here.x * after.y - after.x * here.y
    return abs(twice) / 2
