"""Which files may pass between a buyer and a seller, how large, and under which name.

A file is judged by its bytes, never by the name or the MIME type its sender declared: the first
bytes are matched against the allow-list below. Only types whose hidden metadata the bot can
remove or that sellers need for their paperwork are allowed:

- JPEG, PNG and WebP images: re-encoded from their pixels, contact details read in them covered
  (see ``bot.scanning``): no EXIF, GPS, XMP, ICC profile or comments survive.
- PDF: invoices, receipts and the refund form. Its pages are passed on as pictures, covered
  where they showed contact details (see ``bot.scanning.pdfs``).

Refused on purpose: HEIC/HEIF (cannot be re-encoded here; Telegram sends phone photos as JPEG
anyway), GIF, video (MP4/MOV carry GPS atoms and the sender's voice), audio, plain text and
office files (free text that masking cannot reach), archives and executables.

Every relayed file gets a new name such as ``order-100234-photo-1.jpg``, so an original name
like ``ivan_0888123456.jpg`` never reaches the other side.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

#: Telegram lets bots download files of at most 20 MB (getFile).
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024
#: The marketplace stores files of at most 20 MB (POST /v1/files); read as decimal megabytes.
MARKETPLACE_UPLOAD_LIMIT = 20 * 1000 * 1000
#: A seller's file must pass both.
SELLER_FILE_LIMIT = min(TELEGRAM_DOWNLOAD_LIMIT, MARKETPLACE_UPLOAD_LIMIT)
#: Telegram accepts photos of at most 10 MB from bots (sendPhoto); larger images go as documents.
TELEGRAM_PHOTO_UPLOAD_LIMIT = 10 * 1000 * 1000
#: ... and documents of at most 50 MB (sendDocument).
TELEGRAM_DOCUMENT_UPLOAD_LIMIT = 50 * 1000 * 1000
#: The marketplace takes at most 10 attachments per message.
MAX_ATTACHMENTS = 10
#: Images larger than this are refused rather than decoded (decompression bombs).
MAX_IMAGE_PIXELS = 50_000_000
#: PDFs with more pages than this are refused: every page is read and rendered.
MAX_PDF_PAGES = 20

MEGABYTE = 1000 * 1000


@dataclass(frozen=True, slots=True)
class FileType:
    """A type on the allow-list: what it is called on the wire and on disk."""

    name: str
    content_type: str
    extension: str
    image: bool


JPEG = FileType("JPEG", "image/jpeg", "jpg", image=True)
PNG = FileType("PNG", "image/png", "png", image=True)
WEBP = FileType("WebP", "image/webp", "webp", image=True)
PDF = FileType("PDF", "application/pdf", "pdf", image=False)
ALLOWED: tuple[FileType, ...] = (JPEG, PNG, WEBP, PDF)

#: At least this many leading bytes are needed to recognise any type below.
SNIFF_BYTES = 16


def sniff(data: bytes) -> FileType | None:
    """The allowed type that ``data`` really is, from its magic bytes; None if it is none."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def describe(data: bytes) -> str | None:
    """A name for a well-known type that is *not* allowed, to say what was refused."""
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypheif", b"ftyphevc"):
        return "HEIC"
    if data[4:8] == b"ftyp":
        return "video"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data.startswith((b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "archive"
    if data.startswith((b"MZ", b"\x7fELF")):
        return "program"
    if data.startswith((b"ID3", b"OggS", b"fLaC")) or data[8:12] in (b"WAVE", b"AVI "):
        return "audio/video"
    return None


class FileRefusal(enum.StrEnum):
    TOO_BIG = "too_big"
    NOT_ALLOWED = "not_allowed"
    UNREADABLE = "unreadable"
    TOO_MANY = "too_many"
    #: more pixels than :data:`MAX_IMAGE_PIXELS` (a decompression bomb, or just too large)
    TOO_MANY_PIXELS = "too_many_pixels"
    #: a PDF with more pages than :data:`MAX_PDF_PAGES`
    TOO_MANY_PAGES = "too_many_pages"
    ANIMATED = "animated"
    ENCRYPTED = "encrypted"
    SCRIPT = "script"
    #: the file could not be checked in time or the checker failed: never passed on unchecked
    UNCHECKED = "unchecked"


class FileRefused(ValueError):
    """A file that may not be relayed, and why."""

    def __init__(self, reason: FileRefusal, detail: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type[FileRefused], tuple[FileRefusal, str | None]]:
        # Raised in a scanning worker and raised again in the bot, so it must pickle.
        return (FileRefused, (self.reason, self.detail))


def check_size(size: int | None, limit: int = SELLER_FILE_LIMIT) -> None:
    """Refuse a file larger than ``limit`` before anything is downloaded."""
    if size is not None and size > limit:
        raise FileRefused(FileRefusal.TOO_BIG, f"{size} bytes")


def check_type(data: bytes) -> FileType:
    """The file's allowed type, or a refusal that names what it is when that is known."""
    found = sniff(data[:SNIFF_BYTES])
    if found is None:
        raise FileRefused(FileRefusal.NOT_ALLOWED, describe(data[:SNIFF_BYTES]))
    return found


def check_count(count: int) -> None:
    if count > MAX_ATTACHMENTS:
        raise FileRefused(FileRefusal.TOO_MANY, str(count))


_UNSAFE = re.compile(r"[^0-9A-Za-z-]+")


def safe_filename(order_number: str, index: int, file_type: FileType) -> str:
    """A name that says only which order and which file it is: ``order-100234-photo-1.jpg``."""
    number = _UNSAFE.sub("", order_number)[:40] or "x"
    role = "photo" if file_type.image else "file"
    return f"order-{number}-{role}-{index}.{file_type.extension}"


def send_as_photo(file_type: FileType | None, size: int | None) -> bool:
    """Images small enough for sendPhoto go as photos; everything else as a document."""
    return (
        file_type is not None
        and file_type.image
        and size is not None
        and size <= TELEGRAM_PHOTO_UPLOAD_LIMIT
    )


def type_for_content_type(content_type: str) -> FileType | None:
    """The allowed type a declared MIME type names (a hint only; the bytes decide)."""
    base = content_type.split(";", 1)[0].strip().lower()
    if base in ("image/jpg", "image/pjpeg"):
        base = JPEG.content_type
    return next((t for t in ALLOWED if t.content_type == base), None)
