"""The refund (withdrawal) form that goes into every parcel, as a printable A4 PDF.

Modelled on the EU model withdrawal form (Directive 2011/83/EU, Annex I(B)), followed by a short
box on how to return goods through the marketplace. The seller manual fixes the form's language
as English, so its text does not go through gettext. Product titles may be Cyrillic, hence the
embedded DejaVu Sans shipped in ``fonts/`` (the page itself: :mod:`bot.documents.pages`).

    pdf_bytes = render_refund_form(RefundFormData(order_number="CH-1042", ...))

The buyer appears only under the marketplace's alias: the seller never learns a real name or
address, so the consumer fills those in by hand.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date

from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableCellFillMode, TableHeadingsDisplay, XPos, YPos

from bot.documents.pages import (
    FAMILY,
    LINE,
    SMALL_PT,
    a4_document,
    drawable,
    keep_together,
    measure,
    paragraph,
    printable,
)

__all__ = ["RefundFormData", "RefundFormItem", "render_refund_form"]

# The legal periods for sending goods back and for the refund (Art. 13 and 14 of the Directive);
# only the withdrawal window itself may be made longer by the seller.
LEGAL_DAYS = 14

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_BODY_PT = 10.0
_BOX_PT = 9.0
_BOX_LINE = 4.4
_BOX_PADDING = 4.0
_TABLE_WIDTHS = (98.0, 38.0, 14.0, 24.0)  # item, SKU, qty, returned: the 174 mm between margins
_TICK_BOX = "\u2610"  # ☐
_BLANK = "_" * 22


@dataclass(frozen=True, slots=True)
class RefundFormItem:
    """One line of the order, as the buyer will tick it when returning it."""

    title: str
    quantity: int
    sku: str | None = None

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError(f"quantity must be at least 1, not {self.quantity}")


@dataclass(frozen=True, slots=True)
class RefundFormData:
    """Everything printed on the form; ``buyer_alias`` is the marketplace's pseudonym only."""

    order_number: str
    order_date: date
    items: Sequence[RefundFormItem]
    seller_name: str
    buyer_alias: str
    marketplace: str = "Chopni"
    delivered_on: date | None = None
    return_window_days: int = LEGAL_DAYS

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("a refund form needs at least one item")
        if self.return_window_days < LEGAL_DAYS:
            raise ValueError(
                f"the withdrawal window cannot be shorter than the legal {LEGAL_DAYS} days"
            )


def render_refund_form(data: RefundFormData) -> bytes:
    """Lay out the form for ``data`` and return the PDF file's bytes."""
    with a4_document() as pdf:
        data = _printable(data, covered=drawable(pdf))
        pdf.running_head = f"{data.marketplace} order {data.order_number}: refund form"
        pdf.set_title(f"Refund form for order {data.order_number}")
        pdf.set_creator(f"{data.marketplace} seller assistant")
        pdf.set_lang("en")
        pdf.add_page()
        _withdrawal_form(pdf, data)
        _right_of_return(pdf, data)
        # fpdf2 subsets each font into this document and closes it, so nothing can be kept.
        return bytes(pdf.output())


def _printable(data: RefundFormData, covered: Collection[int]) -> RefundFormData:
    """``data`` with only characters the font can draw (see :func:`printable`)."""

    def clean(text: str) -> str:
        return printable(text, covered)

    return replace(
        data,
        order_number=clean(data.order_number),
        seller_name=clean(data.seller_name),
        buyer_alias=clean(data.buyer_alias),
        marketplace=clean(data.marketplace),
        items=[
            replace(item, title=clean(item.title), sku=clean(item.sku) if item.sku else None)
            for item in data.items
        ],
    )


def _withdrawal_form(pdf: FPDF, data: RefundFormData) -> None:
    """Annex I(B) of the Directive, filled in with what the seller knows."""
    pdf.set_font(FAMILY, "B", 16)
    paragraph(pdf, "Refund form / Model withdrawal form", line=8)
    pdf.set_font(FAMILY, size=SMALL_PT)
    paragraph(pdf, "(complete and return this form only if you wish to withdraw from the contract)")
    pdf.ln(3)
    pdf.set_font(FAMILY, size=_BODY_PT)
    paragraph(
        pdf,
        f"To: {data.seller_name} via the {data.marketplace} marketplace conversation "
        f"for order {data.order_number}",
    )
    pdf.ln(2)
    paragraph(
        pdf,
        "I/We hereby give notice that I/We withdraw from my/our contract of sale "
        "of the following goods:",
    )
    pdf.ln(2)
    _items_table(pdf, data.items)
    pdf.ln(4)
    # The consumer's part stays on one page: it is signed as a whole.
    keep_together(pdf, 10 * LINE)
    paragraph(pdf, f"Ordered on {_long_date(data.order_date)} / received on {_BLANK}")
    pdf.ln(2)
    paragraph(pdf, f"Name of consumer(s): {data.buyer_alias}")
    pdf.ln(2)
    paragraph(pdf, f"Address of consumer(s): {_BLANK * 2} (fill in by hand)")
    pdf.ln(2)
    paragraph(pdf, "_" * 60)
    pdf.ln(4)
    paragraph(pdf, f"Signature of consumer(s): {_BLANK * 2}")
    pdf.set_font(FAMILY, size=SMALL_PT)
    paragraph(pdf, "(only if this form is notified on paper)")
    pdf.ln(2)
    pdf.set_font(FAMILY, size=_BODY_PT)
    paragraph(pdf, f"Date: {_BLANK}")


def _items_table(pdf: FPDF, items: Sequence[RefundFormItem]) -> None:
    """One row per order line; long titles wrap and the headings repeat on every page."""
    pdf.set_font(FAMILY, size=9)
    with pdf.table(
        col_widths=_TABLE_WIDTHS,
        width=sum(_TABLE_WIDTHS),
        align=Align.L,
        text_align=(Align.L, Align.L, Align.R, Align.C),
        line_height=4.2,
        padding=(1.0, 1.5),
        headings_style=FontFace(emphasis="BOLD", fill_color=None),
        cell_fill_mode=TableCellFillMode.NONE,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
    ) as table:
        table.row(("Item", "SKU", "Qty", "Returned"))
        for item in items:
            table.row((item.title, item.sku or "-", str(item.quantity), _TICK_BOX))


def _right_of_return(pdf: FPDF, data: RefundFormData) -> None:
    """The boxed summary of the buyer's right and the steps to return goods."""
    days = data.return_window_days
    if data.delivered_on is None:
        delivered = "the delivery date is shown in your order on the marketplace"
    else:
        delivered = f"delivered on {_long_date(data.delivered_on)}"
    right = (
        f"You may withdraw within {days} days counted from the day the {data.marketplace} "
        f"marketplace verified delivery of your order ({delivered}). "
        "You do not have to give a reason."
    )
    steps = (
        f"1. Tell the seller through the conversation of order {data.order_number} "
        f"on {data.marketplace} (this form, or a clear statement of your own, will do).",
        "2. Pack the item with its warranty card and the invoice or receipt.",
        f"3. State the order number {data.order_number} on the parcel.",
        f"4. Send it back within {LEGAL_DAYS} days of notifying the seller "
        "and keep the tracking number.",
        f"5. The seller refunds you within {LEGAL_DAYS} days of receiving the return.",
    )
    body = [(f"Your {days}-day right of return", "B"), (right, ""), ("How to return", "B")]
    body += [(step, "") for step in steps]
    inner = pdf.epw - 2 * _BOX_PADDING
    gap = 1.0
    box_height = sum(
        measure(pdf, text, style, _BOX_PT, _BOX_LINE, inner) + gap for text, style in body
    )
    box_height += 2 * _BOX_PADDING - gap
    pdf.ln(5)
    keep_together(pdf, box_height)
    top = pdf.get_y()
    pdf.rect(pdf.l_margin, top, pdf.epw, box_height)
    pdf.set_y(top + _BOX_PADDING)
    for text, style in body:
        pdf.set_font(FAMILY, style, _BOX_PT)
        pdf.set_x(pdf.l_margin + _BOX_PADDING)
        pdf.multi_cell(inner, _BOX_LINE, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)


def _long_date(day: date) -> str:
    """``3 March 2025``: unambiguous wherever the parcel goes, and independent of the locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
