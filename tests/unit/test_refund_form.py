"""The printable refund form: what it says, and that it prints on A4 with its font embedded."""

from __future__ import annotations

import logging
from datetime import date
from io import BytesIO
from typing import cast

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject

from bot.documents.refund_form import RefundFormData, RefundFormItem, render_refund_form

MM = 72 / 25.4  # PDF points per millimetre
JACKET = RefundFormItem(title="Дамско яке Зима, размер M", quantity=1, sku="JK-204-M")
SCARF = RefundFormItem(title="Wool scarf, charcoal", quantity=2)


def _order(items: list[RefundFormItem] | None = None, **changes: object) -> RefundFormData:
    fields: dict[str, object] = {
        "order_number": "CH-1042",
        "order_date": date(2025, 3, 12),
        "items": items if items is not None else [JACKET, SCARF],
        "seller_name": "Moda Sofia",
        "buyer_alias": "Buyer 7F3K",
        "delivered_on": date(2025, 3, 15),
    }
    return RefundFormData(**(fields | changes))  # type: ignore[arg-type]


def _read(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def _dictionary(value: PdfObject) -> DictionaryObject:
    resolved = value.get_object()
    assert isinstance(resolved, DictionaryObject)
    return resolved


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in _read(pdf).pages)


@pytest.fixture(scope="module")
def form() -> bytes:
    return render_refund_form(_order())


@pytest.fixture(scope="module")
def text(form: bytes) -> str:
    return _text(form)


def test_the_output_is_a_pdf(form: bytes) -> None:
    assert form.startswith(b"%PDF-")


def test_the_form_is_the_model_withdrawal_form(text: str) -> None:
    assert "Refund form / Model withdrawal form" in text
    assert "(complete and return this form only if you wish to withdraw from the contract)" in text
    assert (
        "I/We hereby give notice that I/We withdraw from my/our contract of sale "
        "of the following goods:" in " ".join(text.split())
    )


def test_the_form_is_addressed_to_the_seller_through_the_order_conversation(text: str) -> None:
    assert "To: Moda Sofia via the Chopni marketplace conversation for order CH-1042" in " ".join(
        text.split()
    )


def test_the_order_date_is_printed_and_the_receipt_date_left_blank(text: str) -> None:
    assert "Ordered on 12 March 2025 / received on ___" in text


def test_the_buyer_appears_only_under_the_marketplace_alias(text: str) -> None:
    assert "Name of consumer(s): Buyer 7F3K" in text
    assert "Address of consumer(s): ___" in text
    assert "(fill in by hand)" in text


def test_the_signature_and_date_lines_are_left_blank(text: str) -> None:
    assert "Signature of consumer(s): ___" in text
    assert "(only if this form is notified on paper)" in text
    assert "Date: ___" in text


def test_every_item_is_listed_with_its_sku_and_quantity(text: str) -> None:
    assert "Item SKU Qty Returned" in text
    assert "Дамско яке Зима, размер M JK-204-M 1 ☐" in text
    assert "Wool scarf, charcoal - 2 ☐" in text


def test_the_right_of_return_counts_14_days_from_the_verified_delivery(text: str) -> None:
    flat = " ".join(text.split())
    assert "Your 14-day right of return" in flat
    assert (
        "You may withdraw within 14 days counted from the day the Chopni marketplace "
        "verified delivery of your order (delivered on 15 March 2025)." in flat
    )


def test_how_to_return_goes_through_the_marketplace_with_the_papers(text: str) -> None:
    flat = " ".join(text.split())
    assert "How to return" in flat
    assert "Tell the seller through the conversation of order CH-1042 on Chopni" in flat
    assert "Pack the item with its warranty card and the invoice or receipt." in flat
    assert "State the order number CH-1042 on the parcel." in flat
    assert (
        "Send it back within 14 days of notifying the seller and keep the tracking number." in flat
    )
    assert "The seller refunds you within 14 days of receiving the return." in flat


def test_an_unknown_delivery_date_points_to_the_order_on_the_marketplace() -> None:
    text = " ".join(_text(render_refund_form(_order(delivered_on=None))).split())
    assert "the delivery date is shown in your order on the marketplace" in text
    assert "delivered on" not in text


def test_a_longer_return_window_is_printed_but_the_legal_periods_stay() -> None:
    text = " ".join(_text(render_refund_form(_order(return_window_days=30))).split())
    assert "Your 30-day right of return" in text
    assert "within 30 days counted from the day" in text
    assert "Send it back within 14 days of notifying the seller" in text


def test_a_return_window_shorter_than_the_legal_14_days_is_refused() -> None:
    with pytest.raises(ValueError, match="14 days"):
        _order(return_window_days=7)


def test_an_order_without_items_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        _order(items=[])


def test_an_item_without_a_quantity_is_refused() -> None:
    with pytest.raises(ValueError, match="quantity"):
        RefundFormItem(title="Scarf", quantity=0)


def test_the_page_is_a4_portrait(form: bytes) -> None:
    for page in _read(form).pages:
        assert float(page.mediabox.width) == pytest.approx(595, abs=1)
        assert float(page.mediabox.height) == pytest.approx(842, abs=1)


def test_the_text_starts_inside_margins_of_at_least_15_mm(form: bytes) -> None:
    starts: list[tuple[float, float]] = []

    def record(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            starts.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page = _read(form).pages[0]
    page.extract_text(visitor_text=record)
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert starts
    for x, y in starts:
        assert 15 * MM <= x <= width - 15 * MM
        assert 15 * MM <= y <= height - 15 * MM


def test_a_truetype_font_is_embedded_as_a_subset(form: bytes) -> None:
    resources = _dictionary(_read(form).pages[0]["/Resources"])
    fonts = _dictionary(resources["/Font"])
    assert fonts
    for font_ref in fonts.values():
        font = _dictionary(font_ref)
        assert str(font["/BaseFont"]).split("+")[1].startswith("DejaVuSans")
        descendant = _dictionary(cast(ArrayObject, font["/DescendantFonts"])[0])
        descriptor = _dictionary(descendant["/FontDescriptor"])
        assert "/FontFile2" in descriptor


def test_the_embedded_fonts_are_subset_so_the_file_stays_small(form: bytes) -> None:
    assert len(form) < 100_000


def test_twelve_items_fit_on_one_page() -> None:
    items = [JACKET] + [
        RefundFormItem(f"Cotton T-shirt, size {n}", 1, f"TS-{n}") for n in range(11)
    ]
    assert len(_read(render_refund_form(_order(items))).pages) == 1


def test_many_items_flow_to_a_second_page_with_the_headings_repeated() -> None:
    items = [RefundFormItem(f"Cotton T-shirt no. {n}", 1, f"TS-{n}") for n in range(40)]
    pages = _read(render_refund_form(_order(items))).pages
    assert len(pages) >= 2
    page_texts = [page.extract_text() for page in pages]
    for number, page_text in enumerate(page_texts, start=1):
        assert "Chopni order CH-1042: refund form" in page_text
        assert f"Page {number} of {len(pages)}" in page_text
    assert "Item SKU Qty Returned" in page_texts[1]
    every_page = "\n".join(page_texts)
    for item in items:
        assert f"{item.title} {item.sku} 1 ☐" in every_page


def test_a_long_title_wraps_inside_its_column() -> None:
    title = "Комплект спално бельо от египетски памук " * 5
    text = _text(render_refund_form(_order([RefundFormItem(title, 1, "BED-1")])))
    assert " ".join(text.split()).count("египетски памук") == 5


def test_characters_the_font_lacks_are_left_out_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    item = RefundFormItem(title="🔥 Зимно яке 夏", quantity=1)
    with caplog.at_level(logging.WARNING):
        text = _text(render_refund_form(_order([item])))
    assert "Зимно яке ? - 1 ☐" in text
    assert not caplog.records
