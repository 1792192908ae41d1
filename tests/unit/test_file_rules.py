"""The relay's file rules: judged by the bytes, renamed, and kept within both services' limits."""

from __future__ import annotations

import pytest

from bot.domain.files import (
    JPEG,
    MARKETPLACE_UPLOAD_LIMIT,
    MAX_ATTACHMENTS,
    PDF,
    PNG,
    SELLER_FILE_LIMIT,
    TELEGRAM_DOWNLOAD_LIMIT,
    TELEGRAM_PHOTO_UPLOAD_LIMIT,
    WEBP,
    FileRefusal,
    FileRefused,
    check_count,
    check_size,
    check_type,
    safe_filename,
    send_as_photo,
    sniff,
    type_for_content_type,
)

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01"
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
WEBP_HEAD = b"RIFF\x24\x00\x00\x00WEBPVP8 "
PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"


@pytest.mark.parametrize(
    ("head", "expected"),
    [(JPEG_HEAD, JPEG), (PNG_HEAD, PNG), (WEBP_HEAD, WEBP), (PDF_HEAD, PDF)],
)
def test_allowed_types_are_recognised_by_their_magic_bytes(head: bytes, expected: object) -> None:
    assert sniff(head) is expected
    assert check_type(head) is expected


@pytest.mark.parametrize(
    ("head", "described"),
    [
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "HEIC"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "GIF"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "archive"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "program"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/video"),
        (b"Call me on 0888 123 456", None),
    ],
)
def test_other_types_are_refused_and_named_when_known(head: bytes, described: str | None) -> None:
    with pytest.raises(FileRefused) as refused:
        check_type(head)
    assert refused.value.reason is FileRefusal.NOT_ALLOWED
    assert refused.value.detail == described


def test_a_program_named_like_a_photo_is_judged_by_its_bytes() -> None:
    assert type_for_content_type("image/jpeg") is JPEG
    with pytest.raises(FileRefused):
        check_type(b"MZ\x90\x00 pretending to be photo.jpg")


def test_the_declared_type_is_only_a_hint() -> None:
    assert type_for_content_type("image/jpg") is JPEG
    assert type_for_content_type("application/pdf; charset=binary") is PDF
    assert type_for_content_type("application/x-msdownload") is None


def test_a_file_over_the_limit_is_refused_before_download() -> None:
    check_size(SELLER_FILE_LIMIT)
    check_size(None)
    with pytest.raises(FileRefused) as refused:
        check_size(SELLER_FILE_LIMIT + 1)
    assert refused.value.reason is FileRefusal.TOO_BIG


def test_a_seller_file_must_fit_both_telegram_and_the_marketplace() -> None:
    assert SELLER_FILE_LIMIT <= TELEGRAM_DOWNLOAD_LIMIT
    assert SELLER_FILE_LIMIT <= MARKETPLACE_UPLOAD_LIMIT


def test_more_attachments_than_the_marketplace_takes_are_refused() -> None:
    check_count(MAX_ATTACHMENTS)
    with pytest.raises(FileRefused) as refused:
        check_count(MAX_ATTACHMENTS + 1)
    assert refused.value.reason is FileRefusal.TOO_MANY


def test_a_relayed_file_is_named_after_the_order_only() -> None:
    assert safe_filename("100234", 1, JPEG) == "order-100234-photo-1.jpg"
    assert safe_filename("100234", 2, PDF) == "order-100234-file-2.pdf"


def test_a_strange_order_number_cannot_smuggle_a_path_or_a_phone_number_spelling() -> None:
    name = safe_filename("../ivan 0888/123", 1, PNG)
    assert name == "order-ivan0888123-photo-1.png"
    assert "/" not in name and " " not in name
    assert safe_filename("///", 3, WEBP) == "order-x-photo-3.webp"


def test_images_go_as_photos_only_when_telegram_accepts_them_as_photos() -> None:
    assert send_as_photo(JPEG, 1000)
    assert not send_as_photo(JPEG, TELEGRAM_PHOTO_UPLOAD_LIMIT + 1)
    assert not send_as_photo(PDF, 1000)
    assert not send_as_photo(None, 1000)
    assert not send_as_photo(PNG, None)
