"""Files the relay must refuse: corrupt, a decompression bomb, encrypted, with JavaScript,
animated, and a PDF full of things a flattened copy must not keep."""

from __future__ import annotations

import io
from functools import cache

from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

SECRET_PHONE = "0888 123 456"


def corrupt_jpeg() -> bytes:
    """A JPEG cut off after its header."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()[:200]


@cache
def huge_png(side: int = 20000) -> bytes:
    """A ``side``×``side`` PNG of one colour: a few hundred kilobytes, billions of bytes decoded."""
    out = io.BytesIO()
    Image.new("1", (side, side), 1).save(out, "PNG")
    return out.getvalue()


def animated_png() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (40, 40), colour) for colour in ("red", "blue")]
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def rich_pdf(text: str = f"Call me: {SECRET_PHONE}") -> bytes:
    """A one-page PDF with text, a link, metadata, an outline and an attachment."""
    pdf = FPDF()
    pdf.set_title("Secret title")
    pdf.set_author("Ivan Petrov")
    pdf.add_page()
    pdf.set_font("helvetica", size=16)
    pdf.cell(0, 10, "Invoice 2041, order 100234", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, text, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, "our shop", link="https://ivan-shop.example/contact")
    pdf.start_section("Chapter")
    pdf.embed_file(basename="card.vcf", bytes=b"BEGIN:VCARD\nTEL:0888123456\nEND:VCARD")
    return bytes(pdf.output())


def encrypted_pdf(user_password: str = "") -> bytes:
    """``rich_pdf`` encrypted (with an empty user password it opens without asking)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(rich_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def javascript_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(rich_pdf())))
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
