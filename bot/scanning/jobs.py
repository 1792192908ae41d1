"""What the scanning pool runs: read a picture, or cover a file for the relay.

    scanned = await pool.run(scan_file, data, allowed_domains)
    scanned.data, scanned.file_type, scanned.covered   # covered: the kinds that were hidden

    reading = await pool.run(read_picture, data)       # lines and codes, nothing changed
    reading.lines, reading.codes, reading.size

Both take the file's bytes, judge its type by them, and raise
:class:`~bot.domain.files.FileRefused` with a reason for anything they will not pass on.
:func:`scan_file` returns a new file made from covered pixels only: a picture in its own
format, a PDF as a flattened image-only PDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.files import PDF, FileRefusal, FileRefused, FileType, check_type
from bot.domain.masking import DEFAULT_ALLOWED_DOMAINS, ContactKind

if TYPE_CHECKING:
    from bot.scanning.codes import Code
    from bot.scanning.ocr import TextLine


@dataclass(frozen=True, slots=True)
class Scanned:
    """A covered file: its new bytes, its type, and which kinds of contact were covered."""

    data: bytes
    file_type: FileType
    covered: tuple[ContactKind, ...]
    pages: int = 1

    @property
    def content_type(self) -> str:
        return self.file_type.content_type


@dataclass(frozen=True, slots=True)
class Reading:
    """What a picture says: its text lines and codes, and its size in pixels."""

    lines: tuple[TextLine, ...]
    codes: tuple[Code, ...]
    size: tuple[int, int]


def scan_file(data: bytes, allowed_domains: Iterable[str] = DEFAULT_ALLOWED_DOMAINS) -> Scanned:
    """The file rebuilt from covered pixels; raises :class:`FileRefused`."""
    # Imported here, in the worker: the bot names these functions and never runs them.
    from bot.scanning.codes import read_codes
    from bot.scanning.cover import code_covers, paint, text_covers
    from bot.scanning.ocr import read_lines
    from bot.scanning.pictures import encode, open_picture
    from bot.scanning.tesseract import cyrillic_lines

    allowed = tuple(allowed_domains)
    file_type = check_type(data)
    if file_type is PDF:
        from bot.scanning import pdfs

        pages = pdfs.read_pdf(data, allowed)
        kinds = {cover.kind for page in pages for cover in page.covers}
        return Scanned(pdfs.write_pdf(pages), PDF, _ordered(kinds), len(pages))
    picture = open_picture(data, file_type)
    lines = read_lines(picture)
    covers = text_covers(lines + cyrillic_lines(picture, lines), allowed)
    covers += code_covers(read_codes(picture, allowed))
    covered = paint(picture, covers)
    return Scanned(encode(covered, file_type), file_type, _ordered({c.kind for c in covers}))


def read_picture(data: bytes) -> Reading:
    """The lines and codes in a JPEG, PNG or WebP picture; raises :class:`FileRefused`."""
    from bot.scanning.codes import read_codes
    from bot.scanning.ocr import read_lines
    from bot.scanning.pictures import open_picture

    file_type = check_type(data)
    if not file_type.image:
        raise FileRefused(FileRefusal.NOT_ALLOWED, file_type.name)
    picture = open_picture(data, file_type)
    return Reading(tuple(read_lines(picture)), tuple(read_codes(picture)), picture.size)


def _ordered(kinds: set[ContactKind]) -> tuple[ContactKind, ...]:
    return tuple(kind for kind in ContactKind if kind in kinds)
