"""Open an untrusted picture safely, and write a new one from its pixels alone.

:func:`open_picture` checks the pixel count from the header before anything is decoded (a
decompression bomb is refused before it can fill the worker's memory), refuses animations
(a frame would need to be read one by one; a still photo says the same), applies the EXIF
orientation and converts to sRGB, and returns a new image that holds the pixels and nothing
else. :func:`encode` writes it back in the same format. No EXIF (camera, owner, GPS), XMP,
IPTC, comment, ICC profile, trailing data or second file survives.

Run these in a worker process (:mod:`bot.scanning.pool`), never in the bot.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from bot.domain.files import JPEG, MAX_IMAGE_PIXELS, PNG, FileRefusal, FileRefused, FileType

_PIL_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WebP": "WEBP"}
_DECODE_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombWarning,
    Image.DecompressionBombError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
)


def open_picture(data: bytes, file_type: FileType) -> Image.Image:
    """The picture's pixels, upright and in sRGB, in a new image; raises :class:`FileRefused`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[file_type.name]]) as source:
                width, height = source.size
                if width * height > min(
                    Image.MAX_IMAGE_PIXELS or MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS
                ):
                    raise FileRefused(FileRefusal.TOO_MANY_PIXELS, f"{width}×{height} pixels")
                frames = int(getattr(source, "n_frames", 1))
                if frames > 1:
                    raise FileRefused(FileRefusal.ANIMATED, f"{frames} frames")
                return pixels_only(source)
    except FileRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise FileRefused(FileRefusal.TOO_MANY_PIXELS, str(exc)) from exc
    except _DECODE_ERRORS as exc:
        raise FileRefused(FileRefusal.UNREADABLE, f"{type(exc).__name__}: {exc}") from exc


def encode(picture: Image.Image, file_type: FileType) -> bytes:
    """The picture written as ``file_type`` from its pixels."""
    out = io.BytesIO()
    if file_type is JPEG:
        picture.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    elif file_type is PNG:
        picture.save(out, "PNG", optimize=True)
    else:
        picture.save(out, "WEBP", quality=90)
    return out.getvalue()


def pixels_only(source: Image.Image) -> Image.Image:
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
        converted = ImageCms.profileToProfile(
            image, embedded, ImageCms.createProfile("sRGB"), outputMode=out_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image
