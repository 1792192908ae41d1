"""Turn an untrusted PDF into a new one made of covered page pictures.

:func:`read_pdf` opens the document with pypdfium2 and refuses, with a reason, an encrypted
one, one with JavaScript, or one with more than :data:`MAX_PDF_PAGES` pages. Each page is
rendered (with its form fields and annotations drawn in) at :data:`DPI`; its text layer is read
with the position of every character, and pages that have no text layer, are rotated, or hold
pictures are read by OCR as well. The masker runs over what was read and the findings are
painted over, like contact codes (:mod:`bot.scanning.cover`).

:func:`write_pdf` makes a new PDF from those pictures alone (Pillow, one JPEG-compressed image per
page): no text layer, annotation, link, form, script, attachment, outline or metadata of the
original survives. Run in a worker process (:mod:`bot.scanning.pool`).
"""

from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from bot.domain.files import MAX_PDF_PAGES, FileRefusal, FileRefused
from bot.scanning.codes import read_codes
from bot.scanning.cover import Cover, code_covers, paint, text_covers
from bot.scanning.ocr import Quad, TextLine, read_lines

#: Resolution of the page pictures: sharp enough to read and print an invoice.
DPI = 150
#: Pages with fewer characters than this in their text layer are taken as scans.
MIN_TEXT_CHARS = 20


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered page and the covers painted on it."""

    picture: Image.Image
    covers: tuple[Cover, ...]


def read_pdf(data: bytes, allowed_domains: tuple[str, ...]) -> list[Page]:
    """Every page rendered, its contact details covered; raises :class:`FileRefused`."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise FileRefused(FileRefusal.ENCRYPTED, str(exc)) from exc
        raise FileRefused(FileRefusal.UNREADABLE, str(exc)) from exc
    try:
        _refuse_risky(document, data)
        document.init_forms()
        return [_page(document, index, allowed_domains) for index in range(len(document))]
    except pdfium.PdfiumError as exc:
        raise FileRefused(FileRefusal.UNREADABLE, str(exc)) from exc
    finally:
        document.close()


def write_pdf(pages: list[Page]) -> bytes:
    """A new PDF whose pages are the pictures only."""
    out = io.BytesIO()
    pictures = [page.picture.convert("RGB") for page in pages]
    pictures[0].save(
        out, "PDF", save_all=True, append_images=pictures[1:], resolution=DPI, quality=85
    )
    return out.getvalue()


def _refuse_risky(document: pdfium.PdfDocument, data: bytes) -> None:
    if pdfium_c.FPDF_GetSecurityHandlerRevision(document.raw) != -1:
        raise FileRefused(FileRefusal.ENCRYPTED, "encrypted")
    if pdfium_c.FPDFDoc_GetJavaScriptActionCount(document.raw) > 0 or b"/JavaScript" in data:
        raise FileRefused(FileRefusal.SCRIPT, "JavaScript")
    if len(document) > MAX_PDF_PAGES:
        raise FileRefused(FileRefusal.TOO_MANY_PAGES, f"{len(document)} pages")
    if len(document) == 0:
        raise FileRefused(FileRefusal.UNREADABLE, "no pages")


def _page(document: pdfium.PdfDocument, index: int, allowed: tuple[str, ...]) -> Page:
    page = document[index]
    try:
        scale = DPI / 72
        picture = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
        lines = _text_layer(page, picture.size)
        covers = text_covers(lines, allowed)
        scanned = len("".join(line.text for line in lines).strip()) < MIN_TEXT_CHARS
        if scanned or page.get_rotation() or _has_pictures(page):
            covers += text_covers(read_lines(picture), allowed)
        covers += code_covers(read_codes(picture, allowed))
        return Page(paint(picture, covers), tuple(covers))
    finally:
        page.close()


def _text_layer(page: pdfium.PdfPage, size: tuple[int, int]) -> list[TextLine]:
    """The page's text, one :class:`TextLine` per line, every box in rendered pixels."""
    textpage = page.get_textpage()
    try:
        lines: list[TextLine] = []
        chars: list[str] = []
        boxes: list[tuple[float, float, float, float]] = []
        for index in range(textpage.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index) or 32)
            if char in "\r\n":
                _close_line(lines, chars, boxes)
                continue
            chars.append(char)
            left, bottom, right, top = textpage.get_charbox(index)
            boxes.append(_to_pixels(page, size, left, bottom, right, top))
        _close_line(lines, chars, boxes)
        return lines
    finally:
        textpage.close()


def _close_line(
    lines: list[TextLine], chars: list[str], boxes: list[tuple[float, float, float, float]]
) -> None:
    drawn = [box for box in boxes if box[2] > box[0] and box[3] > box[1]]
    if chars and drawn:
        left = min(box[0] for box in drawn)
        top = min(box[1] for box in drawn)
        right = max(box[2] for box in drawn)
        bottom = max(box[3] for box in drawn)
        box: Quad = ((left, top), (right, top), (right, bottom), (left, bottom))
        lines.append(TextLine("".join(chars), box, 1.0, tuple(boxes)))
    chars.clear()
    boxes.clear()


def _to_pixels(
    page: pdfium.PdfPage,
    size: tuple[int, int],
    left: float,
    bottom: float,
    right: float,
    top: float,
) -> tuple[float, float, float, float]:
    """A box in page space as (left, top, right, bottom) in the rendered picture's pixels."""
    xs, ys = [], []
    for x, y in ((left, bottom), (right, top)):
        dx, dy = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDF_PageToDevice(
            page.raw, 0, 0, size[0], size[1], 0, x, y, ctypes.byref(dx), ctypes.byref(dy)
        )
        xs.append(float(dx.value))
        ys.append(float(dy.value))
    return (min(xs), min(ys), max(xs), max(ys))


def _has_pictures(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3))
