"""Pictures that carry what a relay must never pass on: a GPS position, an owner, a comment."""

from __future__ import annotations

import io

from PIL import Image, ImageCms, PngImagePlugin

GPS_IFD = 0x8825
SECRET = "Ivan Petrov 0888123456"


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = SECRET  # Artist
    exif[0x0112] = orientation  # Orientation
    exif[GPS_IFD] = {1: "N", 2: (42.0, 41.0, 49.0), 3: "E", 4: (23.0, 19.0, 17.0)}
    return exif


def _xmp() -> bytes:
    return (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'photoshop:City="Sofia" dc:creator="' + SECRET.encode() + b'"/></rdf:RDF></x:xmpmeta>'
    )


def _icc() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return bytes(profile.tobytes())


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int = 1) -> bytes:
    """A JPEG with EXIF (GPS, artist), XMP, an ICC profile and a comment naming a phone."""
    image = Image.new("RGB", size, (180, 40, 40))
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=_exif(orientation).tobytes(),
        xmp=_xmp(),
        icc_profile=_icc(),
        comment=SECRET.encode(),
    )
    return out.getvalue()


def png_with_text(size: tuple[int, int] = (32, 32)) -> bytes:
    """A PNG with text chunks, EXIF and an ICC profile."""
    image = Image.new("RGBA", size, (10, 120, 200, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_itxt("Comment", SECRET)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=_exif().tobytes(), icc_profile=_icc())
    return out.getvalue()


def webp_with_exif(size: tuple[int, int] = (32, 32)) -> bytes:
    image = Image.new("RGB", size, (10, 200, 20))
    out = io.BytesIO()
    image.save(out, "WEBP", exif=_exif().tobytes(), xmp=_xmp(), icc_profile=_icc())
    return out.getvalue()


MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
