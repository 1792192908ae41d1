"""A corpus of pictures and PDFs, with and without contact details, deterministic by seed.

    from testkit.corpora.files import corpus, representative
    for sample in corpus(seed=17):        # 170 files with contact details, 100 without
        sample.name, sample.kind, sample.contact, sample.data

With contact details: business cards, chat screenshots, handwritten-style notes, shipping labels
with the sender's phone, QR codes that open a call, a mail, a contact card or a chat, invoice
photos, invoice PDFs and scanned PDFs. Without: product photos with prices, sizes and order
numbers, EAN barcodes, the marketplace's own refund form (``bot.documents``), waybills and the
marketplace's own QR links. Photos are turned up to ±30°, put in perspective, blurred, given
grain and saved at varied JPEG quality (see :mod:`testkit.corpora.drawing`). How each kind is
drawn: :mod:`testkit.corpora.contact_files` and :mod:`testkit.corpora.clean_files`.

:func:`representative` is one sample of every kind, for tests that must take seconds.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from bot.domain.files import sniff
from testkit.corpora.clean_files import ean, marketplace_qr, product, refund_form, waybill
from testkit.corpora.contact_files import (
    card,
    chat,
    contact_qr,
    invoice_pdf,
    invoice_photo,
    label,
    note,
    scanned_pdf,
)
from testkit.corpora.drawing import Drawn


@dataclass(frozen=True, slots=True)
class Sample:
    """One file of the corpus, and the angle a photographed one was turned by."""

    name: str
    kind: str
    contact: bool
    data: bytes
    pdf: bool
    angle: float = 0.0

    @property
    def content_type(self) -> str:
        """The type the file really is, read from its first bytes."""
        found = sniff(self.data)
        assert found is not None, self.name
        return found.content_type


#: (kind, how many, draw, is a PDF, has contact details)
KINDS: tuple[tuple[str, int, Callable[[random.Random], Drawn], bool, bool], ...] = (
    ("card", 40, card, False, True),
    ("chat", 25, chat, False, True),
    ("note", 20, note, False, True),
    ("label", 20, label, False, True),
    ("qr", 30, contact_qr, False, True),
    ("invoice photo", 10, invoice_photo, False, True),
    ("invoice pdf", 15, lambda rng: (invoice_pdf(rng), 0.0), True, True),
    ("scanned pdf", 10, lambda rng: (scanned_pdf(rng), 0.0), True, True),
    ("product", 40, product, False, False),
    ("ean", 20, ean, False, False),
    ("waybill", 15, waybill, False, False),
    ("marketplace qr", 10, marketplace_qr, False, False),
    ("refund form", 10, lambda rng: (refund_form(rng), 0.0), True, False),
    ("clean invoice pdf", 5, lambda rng: (invoice_pdf(rng, contact=False), 0.0), True, False),
)


def corpus(seed: int = 17, *, per_kind: int | None = None) -> list[Sample]:
    """The whole corpus (or ``per_kind`` samples of each kind), the same for the same seed."""
    samples = []
    for kind_index, (kind, count, draw, pdf, contact) in enumerate(KINDS):
        for index in range(count if per_kind is None else min(per_kind, count)):
            rng = random.Random(f"{seed}:{kind_index}:{index}")
            name = f"{kind.replace(' ', '-')}-{index + 1}"
            data, angle = draw(rng)
            samples.append(Sample(name, kind, contact, data, pdf, angle))
    return samples


def representative(seed: int = 17) -> list[Sample]:
    """One sample of every kind."""
    return corpus(seed, per_kind=1)


@cache
def first_of(kind: str) -> Sample:
    """The corpus's first sample of ``kind`` (the one :func:`representative` holds)."""
    return next(sample for sample in representative() if sample.kind == kind)
