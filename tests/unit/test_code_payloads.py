"""Which QR and barcode payloads are contacts: calls, mails, contact cards, messengers and
outside links are; product numbers and the marketplace's own links are not."""

from __future__ import annotations

import pytest

from bot.domain.masking import ContactKind
from bot.scanning.codes import contact_kind


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ("tel:+359888123456", ContactKind.PHONE),
        ("SMSTO:0888123456:hi", ContactKind.PHONE),
        ("mailto:ivan@abv.bg", ContactKind.EMAIL),
        ("BEGIN:VCARD\nVERSION:3.0\nFN:Ivan\nTEL:0888123456\nEND:VCARD", ContactKind.PHONE),
        ("MECARD:N:Ivan;TEL:0888123456;;", ContactKind.PHONE),
        ("https://wa.me/359888123456", ContactKind.HANDLE),
        ("https://t.me/ivan_shop", ContactKind.HANDLE),
        ("viber://chat?number=%2B359888123456", ContactKind.HANDLE),
        ("https://ivan-shop.com/contact", ContactKind.LINK),
        ("Call me 0888 123 456", ContactKind.PHONE),
    ],
)
def test_a_contact_payload_is_covered(payload: str, kind: ContactKind) -> None:
    assert contact_kind("QRCode", payload) is kind


@pytest.mark.parametrize(
    ("format_name", "payload"),
    [
        ("EAN13", "3800123456787"),
        ("UPCA", "036000291452"),
        ("QRCode", "https://chopni.bg/orders/100234"),
        ("QRCode", "Order 100234"),
        ("Code128", "RR123456785BG"),
    ],
)
def test_product_codes_and_the_marketplaces_links_are_left_alone(
    format_name: str, payload: str
) -> None:
    assert contact_kind(format_name, payload) is None
