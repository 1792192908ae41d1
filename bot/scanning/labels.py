"""The label reader: a photo of a parcel's label in, the codes and print found on it out.

:func:`read_label` is a job for the scanning pool (it opens untrusted bytes, so it runs in a
worker process, never in the bot's)::

    scan = await pool.run(read_label, photo_bytes, "econt")
    choice = choose(scan.findings, "econt")   # bot.domain.labels

It decodes every barcode and 2D code with zxing-cpp. A phone photo is rarely straight, and a
linear code tilted by more than about 15° is missed, so when no code gives a number that fits the
buyer's carrier it tries again on the picture turned by ±15°, ±30° and ±45°, then with the
contrast stretched and sharpened (glare, grey thermal print), then enlarged (a small code). It
stops at the first try that gives a fitting number. Only when no code at all could be decoded,
and the photo is not too blurred to read, does it read the print with the shared OCR engine
(:func:`bot.scanning.ocr.read_lines`, loaded once per worker): a label whose barcode is torn,
smudged or covered by tape still has its number printed. (A picture whose codes decode but hold
no number is another carrier's label or not a label; its print would tell nothing more.)

Refusals (:class:`LabelRefused`) say why a picture cannot be read at all: not a picture, or more
pixels than a worker may decode.
"""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

from bot.domain.files import MAX_IMAGE_PIXELS
from bot.domain.labels import Finding, Source, choose

#: The longer side a photo is read at: a phone's 4000 px photo holds no more for a barcode
#: than this, and every try costs in proportion to the pixels.
READ_SIDE = 1600
#: Turns tried, in this order, when the straight picture gives nothing that fits.
ANGLES = (15, -15, 30, -30, 45, -45)
#: Below this edge strength (variance of the Laplacian, 0-255 grey) a photo is called blurred.
BLUR_THRESHOLD = 60.0

_LINEAR_2D = {"QRCode", "MicroQRCode", "RMQRCode", "DataMatrix", "PDF417", "Aztec", "MaxiCode"}
_LAPLACIAN = ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)


class LabelRefused(ValueError):
    """A picture the reader will not open; ``reason`` is ``not_an_image`` or ``too_large``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LabelScan:
    """What the reader found, and whether the photo was too blurred to find anything."""

    findings: tuple[Finding, ...]
    blurred: bool
    #: how many pictures (turns, contrasts, scales) were decoded
    tries: int
    #: processor seconds the reading took in the worker
    cpu_seconds: float = 0.0


def read_label(
    data: bytes,
    expected_carrier: str | None = None,
    max_pixels: int = MAX_IMAGE_PIXELS,
    read_print: bool = True,
) -> LabelScan:
    """Read the codes (and, failing them, the print) on the label in ``data``."""
    started = time.process_time()
    picture = _open(data, max_pixels)
    findings: dict[str, Finding] = {}
    tries = 0
    for variant in _variants(picture):
        tries += 1
        decoded = list(_decode(variant))
        for finding in decoded:
            findings.setdefault(finding.text, finding)
        if choose(list(findings.values()), expected_carrier).offer is not None:
            spent = time.process_time() - started
            return LabelScan(tuple(findings.values()), False, tries, spent)
        # The codes of one label share its tilt: a turn that decoded a linear code would have
        # decoded the label's others too, and turning further finds nothing new.
        if any(f.source is Source.BARCODE for f in decoded):
            break
    blurred = sharpness(picture) < BLUR_THRESHOLD
    if read_print and not blurred and not findings:
        for line in _print(picture):
            findings.setdefault(line, Finding(line, Source.PRINT))
    found = tuple(findings.values())
    blurred = blurred and not found
    return LabelScan(found, blurred, tries, time.process_time() - started)


def sharpness(picture: Image.Image) -> float:
    """The variance of the picture's Laplacian: low for a blurred photo, high for a sharp one."""
    small = picture.copy()
    small.thumbnail((800, 800))
    return float(ImageStat.Stat(small.filter(_LAPLACIAN)).var[0])


def _open(data: bytes, max_pixels: int) -> Image.Image:
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


def _variants(picture: Image.Image) -> Iterator[Image.Image]:
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


def _print(picture: Image.Image) -> list[str]:
    """The lines of print the OCR engine reads with confidence."""
    from bot.scanning.ocr import MIN_SCORE, read_lines

    return [line.text for line in read_lines(picture) if line.score >= MIN_SCORE]


def _turned(picture: Image.Image, angle: float) -> Image.Image:
    return picture.rotate(angle, Image.Resampling.BILINEAR, expand=True, fillcolor=255)


def _decode(picture: Image.Image) -> Iterator[Finding]:
    # Imported here, in the worker: the bot's own process never loads the decoder.
    import zxingcpp

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
