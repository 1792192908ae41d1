"""Mask what was read in a picture and paint solid boxes over every finding.

The lines read by OCR (or a PDF's text layer) are joined in reading order, one per line, and
the text masker (:func:`bot.domain.masking.mask_contacts`) runs once over all of them, so a
label on one line ("viber") still counts for the number on the next. Each finding's characters
are mapped back onto its line's quadrilateral: a character's place along the line is taken in
proportion to its offset, and the box grows by one and a half characters each way and a little
in height, so a slightly misread line is still covered whole. Codes whose payload is a contact
are covered with their quiet zone. The boxes are opaque: blur can be undone for digits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.domain.masking import DEFAULT_ALLOWED_DOMAINS, ContactKind, mask_contacts
from bot.scanning.codes import Code
from bot.scanning.ocr import Point, Quad, TextLine

#: Extra characters covered on each side of a span read by OCR (glyph widths vary).
_CHAR_PAD = 1.5
#: Extra height around a covered span, as a share of the line's height, on each side.
_HEIGHT_PAD = 0.2
#: Extra room around a covered code, as a share of its size, on each side (the quiet zone).
_CODE_PAD = 0.12
_FILL: dict[str, int | tuple[int, ...]] = {"RGB": (0, 0, 0), "RGBA": (0, 0, 0, 255), "L": 0}


@dataclass(frozen=True, slots=True)
class Cover:
    """A box to paint, and which kind of contact it hides."""

    kind: ContactKind
    box: Quad


def text_covers(
    lines: Sequence[TextLine], allowed_domains: Iterable[str] = DEFAULT_ALLOWED_DOMAINS
) -> list[Cover]:
    """The boxes that hide every contact the masker finds in ``lines``."""
    text = "\n".join(line.text for line in lines)
    findings = mask_contacts(text, allowed_domains=allowed_domains).findings
    if not findings:
        return []
    starts = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line.text) + 1
    covers = []
    for finding in findings:
        for line, start in zip(lines, starts, strict=True):
            first = max(finding.start, start) - start
            last = min(finding.end, start + len(line.text)) - start
            if first < last:
                covers.append(Cover(finding.kind, span_box(line, first, last)))
    return covers


def code_covers(codes: Iterable[Code]) -> list[Cover]:
    """The boxes that hide every code whose payload is a contact."""
    return [
        Cover(code.contact, _grown(code.box, _CODE_PAD, _CODE_PAD))
        for code in codes
        if code.contact is not None
    ]


def span_box(line: TextLine, first: int, last: int) -> Quad:
    """The part of ``line``'s box that holds characters [first, last), with some room."""
    if len(line.chars) == len(line.text):
        drawn = [box for box in line.chars[first:last] if box[2] > box[0] and box[3] > box[1]]
        if drawn:
            return _grown(_rectangle(drawn), 0.02, _HEIGHT_PAD)
    count = max(len(line.text), 1)
    a = max(first - _CHAR_PAD, 0) / count
    b = min(last + _CHAR_PAD, count) / count
    top_left, top_right, bottom_right, bottom_left = line.box
    box = (
        _along(top_left, top_right, a),
        _along(top_left, top_right, b),
        _along(bottom_left, bottom_right, b),
        _along(bottom_left, bottom_right, a),
    )
    return _grown(box, 0.0, _HEIGHT_PAD)


def paint(image: Image.Image, covers: Iterable[Cover]) -> Image.Image:
    """``image`` with a solid box over each cover (drawn in place)."""
    draw = ImageDraw.Draw(image)
    fill = _FILL.get(image.mode, 0)
    for cover in covers:
        draw.polygon([(round(x), round(y)) for x, y in cover.box], fill=fill)
    return image


def _rectangle(boxes: list[tuple[float, float, float, float]]) -> Quad:
    left = min(box[0] for box in boxes)
    top = min(box[1] for box in boxes)
    right = max(box[2] for box in boxes)
    bottom = max(box[3] for box in boxes)
    return ((left, top), (right, top), (right, bottom), (left, bottom))


def _along(start: Point, end: Point, share: float) -> Point:
    return (start[0] + (end[0] - start[0]) * share, start[1] + (end[1] - start[1]) * share)


def _grown(box: Quad, across: float, down: float) -> Quad:
    """``box`` grown by a share of its width along its top edge and of its height down."""
    top_left, top_right, bottom_right, bottom_left = box
    dx = ((top_right[0] - top_left[0]) * across, (top_right[1] - top_left[1]) * across)
    dy = ((bottom_left[0] - top_left[0]) * down, (bottom_left[1] - top_left[1]) * down)
    return (
        (top_left[0] - dx[0] - dy[0], top_left[1] - dx[1] - dy[1]),
        (top_right[0] + dx[0] - dy[0], top_right[1] + dx[1] - dy[1]),
        (bottom_right[0] + dx[0] + dy[0], bottom_right[1] + dx[1] + dy[1]),
        (bottom_left[0] - dx[0] + dy[0], bottom_left[1] - dx[1] + dy[1]),
    )
