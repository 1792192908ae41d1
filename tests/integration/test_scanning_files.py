"""Reading and covering files: contact details in pictures, codes and PDFs are painted over,
clean files pass untouched in what they show, and hostile files are refused with a reason."""

from __future__ import annotations

import io
from functools import cache

import pypdfium2 as pdfium
import pytest
from PIL import Image

from bot.domain.files import JPEG, PDF, FileRefusal, FileRefused
from bot.domain.masking import ContactKind
from bot.scanning.codes import read_codes
from bot.scanning.jobs import read_picture, scan_file
from bot.scanning.pool import Limits, ScanPool
from testkit.corpora import hostile
from testkit.corpora.files import Sample, corpus


@cache
def _samples() -> dict[str, Sample]:
    return {sample.kind: sample for sample in corpus(per_kind=1)}


@pytest.mark.parametrize("kind", ["card", "qr", "invoice pdf"])
def test_a_file_with_contact_details_comes_back_covered(kind: str) -> None:
    sample = _samples()[kind]
    scanned = scan_file(sample.data)
    assert scanned.covered
    assert scanned.data != sample.data


@pytest.mark.parametrize("kind", ["product", "ean", "marketplace qr", "refund form"])
def test_a_clean_file_has_nothing_covered(kind: str) -> None:
    assert scan_file(_samples()[kind].data).covered == ()


def test_a_contact_qr_code_no_longer_decodes_after_covering() -> None:
    scanned = scan_file(_samples()["qr"].data)
    picture = Image.open(io.BytesIO(scanned.data))
    assert [code for code in read_codes(picture) if code.contact] == []


def test_an_ean_barcode_still_decodes_after_scanning() -> None:
    scanned = scan_file(_samples()["ean"].data)
    formats = [code.format for code in read_codes(Image.open(io.BytesIO(scanned.data)))]
    assert "EAN13" in formats


def test_read_picture_gives_lines_with_boxes_and_codes() -> None:
    reading = read_picture(_samples()["label"].data)
    assert any("FROM" in line.text.upper() for line in reading.lines)
    assert all(len(line.box) == 4 and 0 < line.score <= 1 for line in reading.lines)
    assert [code.format for code in reading.codes] == ["Code128"]


def test_a_pdf_comes_back_as_pictures_only_with_the_phone_covered() -> None:
    scanned = scan_file(hostile.rich_pdf())
    assert scanned.file_type is PDF
    assert scanned.covered == (ContactKind.PHONE,)
    document = pdfium.PdfDocument(scanned.data)
    assert len(document) == 1
    assert document[0].get_textpage().get_text_range() == ""
    assert document.count_attachments() == 0
    assert list(document.get_toc()) == []
    for secret in (b"Ivan Petrov", b"Secret title", b"ivan-shop", b"/URI", b"/Annots", b"VCARD"):
        assert secret not in scanned.data


def test_a_photo_is_re_encoded_without_its_metadata() -> None:
    from testkit.images import SECRET, jpeg_with_gps

    scanned = scan_file(jpeg_with_gps())
    assert scanned.file_type is JPEG
    assert SECRET.encode() not in scanned.data
    assert b"Exif" not in scanned.data


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (hostile.corrupt_jpeg, FileRefusal.UNREADABLE),
        (hostile.animated_png, FileRefusal.ANIMATED),
        (hostile.encrypted_pdf, FileRefusal.ENCRYPTED),
        (lambda: hostile.encrypted_pdf("secret"), FileRefusal.ENCRYPTED),
        (hostile.javascript_pdf, FileRefusal.SCRIPT),
    ],
)
def test_a_hostile_file_is_refused_with_its_reason(make: object, reason: FileRefusal) -> None:
    assert callable(make)
    with pytest.raises(FileRefused) as refused:
        scan_file(make())
    assert refused.value.reason is reason


async def test_a_decompression_bomb_is_refused_in_the_worker_before_it_is_decoded() -> None:
    pool = ScanPool(limits=Limits(time_limit=20, memory_bytes=768 * 1024**2))
    try:
        with pytest.raises(FileRefused) as refused:
            await pool.run(scan_file, hostile.huge_png())
        assert refused.value.reason is FileRefusal.TOO_MANY_PIXELS
        assert pool.peak_rss_bytes < 768 * 1024**2
    finally:
        await pool.close()
