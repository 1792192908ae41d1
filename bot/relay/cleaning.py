"""Cleaning a relayed file: check what it really is and re-encode images without metadata.

An image is decoded and written again from its pixels alone, so nothing of the original file
survives but the picture: no EXIF (camera, owner, GPS position), no XMP, no IPTC, no comments,
no ICC profile (colours are converted to sRGB first, so the picture looks the same), no
trailing data and no second file hidden after the first. The EXIF orientation is applied
before it is dropped, so the picture still stands the right way up. Only the first frame of an
animated image is kept. PDFs are passed on unchanged (see ``bot.domain.files``).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from bot.domain.files import (
    JPEG,
    MAX_IMAGE_PIXELS,
    PNG,
    WEBP,
    FileRefusal,
    FileRefused,
    FileType,
    check_type,
)

_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True, slots=True)
class CleanFile:
    data: bytes
    file_type: FileType

    @property
    def content_type(self) -> str:
        return self.file_type.content_type


def clean_file(data: bytes) -> CleanFile:
    """The file's allowed type and its bytes without metadata; raises :class:`FileRefused`."""
    file_type = check_type(data)
    if not file_type.image:
        return CleanFile(data, file_type)
    return CleanFile(strip_image(data, file_type), file_type)


def strip_image(data: bytes, file_type: FileType) -> bytes:
    """Re-encode an image from its pixels only."""
    pil_format = _PIL_FORMATS[file_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pil_format]) as source:
                width, height = source.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise FileRefused(FileRefusal.TOO_BIG, f"{width}×{height} pixels")
                source.seek(0)
                picture = _pixels_only(source)
    except FileRefused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise FileRefused(FileRefusal.UNREADABLE, f"{type(exc).__name__}: {exc}") from exc
    out = io.BytesIO()
    if file_type is JPEG:
        picture.save(out, "JPEG", quality=90, optimize=True)
    elif file_type is PNG:
        picture.save(out, "PNG", optimize=True)
    else:
        picture.save(out, "WEBP", quality=90)
    return out.getvalue()


def _pixels_only(source: Image.Image) -> Image.Image:
    """A new image that holds the source's pixels, upright and in sRGB, and nothing else."""
    image = ImageOps.exif_transpose(source) or source
    icc = source.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if source.format == "JPEG" and image.mode == "CMYK":
        target = "RGB"
    elif image.mode in ("1", "L") and not icc:
        target = "L"
    elif has_alpha and source.format != "JPEG":
        target = "RGBA"
    else:
        target = "RGB"
    if icc:
        image = _to_srgb(image, icc, target)
    if image.mode != target:
        image = image.convert(target)
    return Image.frombytes(target, image.size, image.tobytes())


def _to_srgb(image: Image.Image, icc: bytes, target: str) -> Image.Image:
    """Convert from the embedded profile to sRGB; a broken profile is simply ignored."""
    try:
        embedded = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
            image = image.convert("RGBA" if target == "RGBA" else "RGB")
        out_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, embedded, _SRGB, outputMode=out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image
