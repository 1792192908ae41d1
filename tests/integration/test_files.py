"""Cleaning relayed files in the scanning job: nothing but the picture survives."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.domain.files import JPEG, PNG, WEBP, FileRefusal, FileRefused
from bot.scanning.jobs import scan_file as clean_file
from testkit.images import (
    GPS_IFD,
    MINIMAL_PDF,
    SECRET,
    jpeg_with_gps,
    png_with_text,
    webp_with_exif,
)


def _opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_exif_and_the_gps_position_are_removed_from_a_jpeg() -> None:
    original = jpeg_with_gps()
    assert _opened(original).getexif().get_ifd(GPS_IFD)
    cleaned = clean_file(original)
    assert cleaned.file_type is JPEG
    picture = _opened(cleaned.data)
    assert not picture.getexif()
    assert not picture.getexif().get_ifd(GPS_IFD)
    for key in ("exif", "xmp", "icc_profile", "comment", "photoshop"):
        assert key not in picture.info
    assert SECRET.encode() not in cleaned.data
    assert b"Exif" not in cleaned.data
    assert b"PhoneMaker" not in cleaned.data


def test_a_photo_taken_sideways_still_stands_the_right_way_up() -> None:
    cleaned = clean_file(jpeg_with_gps(size=(64, 48), orientation=6))
    assert _opened(cleaned.data).size == (48, 64)


def test_png_text_chunks_exif_and_profile_are_removed() -> None:
    cleaned = clean_file(png_with_text())
    assert cleaned.file_type is PNG
    picture = _opened(cleaned.data)
    assert picture.info == {} or set(picture.info) <= {"dpi"}
    assert not picture.getexif()
    assert SECRET.encode() not in cleaned.data
    assert picture.mode == "RGBA"


def test_webp_exif_and_xmp_are_removed() -> None:
    cleaned = clean_file(webp_with_exif())
    assert cleaned.file_type is WEBP
    picture = _opened(cleaned.data)
    assert not picture.getexif()
    assert "xmp" not in picture.info and "icc_profile" not in picture.info
    assert SECRET.encode() not in cleaned.data


def test_data_hidden_after_the_picture_does_not_survive() -> None:
    smuggled = jpeg_with_gps() + b"PK\x03\x04 call me on 0888123456"
    cleaned = clean_file(smuggled)
    assert b"0888123456" not in cleaned.data


def test_a_pdf_without_pages_is_refused_as_unreadable() -> None:
    with pytest.raises(FileRefused) as refused:
        clean_file(MINIMAL_PDF)
    assert refused.value.reason is FileRefusal.UNREADABLE


def test_a_broken_picture_is_refused_as_unreadable() -> None:
    with pytest.raises(FileRefused) as refused:
        clean_file(jpeg_with_gps()[:40])
    assert refused.value.reason is FileRefusal.UNREADABLE


def test_a_program_is_refused_whatever_it_is_called() -> None:
    with pytest.raises(FileRefused) as refused:
        clean_file(b"MZ\x90\x00\x03" + b"\x00" * 100)
    assert refused.value.reason is FileRefusal.NOT_ALLOWED
    assert refused.value.detail == "program"


def test_a_picture_too_large_to_decode_safely_is_refused() -> None:
    huge = Image.new("1", (8000, 8000))
    out = io.BytesIO()
    huge.save(out, "PNG")
    with pytest.raises(FileRefused) as refused:
        clean_file(out.getvalue())
    assert refused.value.reason is FileRefusal.TOO_MANY_PIXELS
