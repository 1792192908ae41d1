"""QR codes and barcodes in a picture: where each lies, its format and payload, and whether the
payload is a contact.

    from bot.scanning.codes import read_codes
    for code in read_codes(image):          # in a worker process only (see bot.scanning.pool)
        code.format, code.payload, code.box, code.contact   # contact: a ContactKind or None

Decoding is zxing-cpp (``zxing-cpp`` wheel): QR, Micro QR, Data Matrix, Aztec, PDF417 and the
linear codes (EAN/UPC, Code 128, Code 39…), rotated or not.

A code is a contact (:func:`contact_kind`) when its payload is ``tel:``/``sms:``, ``mailto:``,
a vCard or MECARD, a messenger link (wa.me, t.me, ``viber://``…), a link outside the
marketplace's domains, or any text in which the text masker finds a contact. Product codes
(EAN-8/13, UPC-A/E) carry only a number and are never contacts; nor are the marketplace's own
links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.masking import DEFAULT_ALLOWED_DOMAINS, ContactKind, mask_contacts
from bot.scanning.ocr import Quad

if TYPE_CHECKING:
    from PIL import Image

#: Formats that carry a product number and nothing else.
PRODUCT_FORMATS = frozenset({"EAN8", "EAN13", "UPCA", "UPCE", "ISBN", "EAN2", "EAN5", "EANUPC"})

_PREFIXES: tuple[tuple[str, ContactKind], ...] = (
    ("tel:", ContactKind.PHONE),
    ("sms:", ContactKind.PHONE),
    ("smsto:", ContactKind.PHONE),
    ("mmsto:", ContactKind.PHONE),
    ("facetime:", ContactKind.PHONE),
    ("mailto:", ContactKind.EMAIL),
    ("matmsg:", ContactKind.EMAIL),
    ("begin:vcard", ContactKind.PHONE),
    ("mecard:", ContactKind.PHONE),
    ("bizcard:", ContactKind.PHONE),
    ("geo:", ContactKind.LINK),
    ("viber:", ContactKind.HANDLE),
    ("whatsapp:", ContactKind.HANDLE),
    ("tg:", ContactKind.HANDLE),
    ("skype:", ContactKind.HANDLE),
    ("fb-messenger:", ContactKind.HANDLE),
    ("signal:", ContactKind.HANDLE),
)


@dataclass(frozen=True, slots=True)
class Code:
    """A decoded code: its format name, payload, corners in pixels and contact kind, if any."""

    format: str
    payload: str
    box: Quad
    contact: ContactKind | None


def read_codes(
    image: Image.Image, allowed_domains: Iterable[str] = DEFAULT_ALLOWED_DOMAINS
) -> list[Code]:
    """Every code zxing-cpp finds in ``image``."""
    import zxingcpp

    allowed = tuple(allowed_domains)
    codes = []
    for found in zxingcpp.read_barcodes(image):
        if not found.valid:
            continue
        position = found.position
        box: Quad = (
            (float(position.top_left.x), float(position.top_left.y)),
            (float(position.top_right.x), float(position.top_right.y)),
            (float(position.bottom_right.x), float(position.bottom_right.y)),
            (float(position.bottom_left.x), float(position.bottom_left.y)),
        )
        name = found.format.name
        codes.append(Code(name, found.text, box, contact_kind(name, found.text, allowed)))
    return codes


def contact_kind(
    format_name: str, payload: str, allowed_domains: Iterable[str] = DEFAULT_ALLOWED_DOMAINS
) -> ContactKind | None:
    """What kind of contact a code with this format and payload carries, or None."""
    if format_name.replace("_", "").replace("-", "").upper() in PRODUCT_FORMATS:
        return None
    text = payload.strip()
    lowered = text.lower()
    for prefix, kind in _PREFIXES:
        if lowered.startswith(prefix):
            return kind
    masked = mask_contacts(text, allowed_domains=allowed_domains)
    if masked.findings:
        return masked.findings[0].kind
    return None
