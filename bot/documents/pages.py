"""An A4 page for the printable documents: the embedded DejaVu Sans (Cyrillic titles print), a
running head and a page count on every page, paragraphs, blocks measured before they are drawn
and kept on one page, and text cut down to what the font can draw.

    with a4_document() as pdf:
        pdf.running_head = "Order CH-1042: refund form"
        pdf.add_page()
        paragraph(pdf, "…")
        pdf_bytes = bytes(pdf.output())
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Collection, Iterator
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos
from fpdf.fonts import TTFFont

FAMILY = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

_MARGIN = 18.0  # mm; printers need at least 15
_FOOTER_ROOM = 8.0
SMALL_PT = 8.5
LINE = 5.0  # mm per body line


class A4Document(FPDF):
    """A4 portrait with the running head on top of every page and the page count at the bottom."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.running_head = ""
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=_MARGIN + _FOOTER_ROOM)
        self.set_text_color(0)
        self.set_draw_color(0)

    def header(self) -> None:
        self.set_font(FAMILY, size=SMALL_PT)
        self.cell(text=self.running_head, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-(_MARGIN + _FOOTER_ROOM / 2))
        self.set_font(FAMILY, size=SMALL_PT)
        self.cell(w=0, text=f"Page {self.page_no()} of {{nb}}", align=Align.R)


@contextlib.contextmanager
def a4_document() -> Iterator[A4Document]:
    """A document with the fonts added, for as long as their files are needed (its output)."""
    with _font_paths() as fonts:
        pdf = A4Document()
        for style, path in fonts.items():
            pdf.add_font(FAMILY, style=style, fname=path)
        yield pdf


@contextlib.contextmanager
def _font_paths() -> Iterator[dict[str, Path]]:
    """The shipped font files as paths, extracted first if the package is zipped."""
    folder = resources.files(__package__).joinpath("fonts")
    with contextlib.ExitStack() as stack:
        yield {
            style: stack.enter_context(resources.as_file(folder.joinpath(name)))
            for style, name in _FONT_FILES.items()
        }


def drawable(pdf: FPDF) -> Collection[int]:
    """The code points the document's regular font can draw."""
    regular = pdf.fonts[FAMILY.lower()]
    assert isinstance(regular, TTFFont)
    return regular.cmap.keys()


def printable(text: str, covered: Collection[int]) -> str:
    """``text`` with what the font cannot draw left out (symbols) or shown as ``?``.

    Marketplace titles carry emoji now and then; fpdf2 would drop them anyway, but with a
    warning in the log for every document.
    """
    return "".join(
        char
        if ord(char) in covered
        else ("" if unicodedata.category(char) in {"So", "Mn", "Cf"} else "?")
        for char in text
    ).strip()


def paragraph(pdf: FPDF, text: str, line: float = LINE) -> None:
    pdf.multi_cell(0, line, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def measure(pdf: FPDF, text: str, style: str, size: float, line: float, width: float) -> float:
    """Height of ``text`` wrapped to ``width`` in that type, without drawing it."""
    pdf.set_font(FAMILY, style, size)
    lines = pdf.multi_cell(width, line, text, dry_run=True, output=MethodReturnValue.LINES)
    assert isinstance(lines, list)
    return len(lines) * line


def keep_together(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit on this one."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
