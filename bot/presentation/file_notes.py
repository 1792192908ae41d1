"""What people are told about a relayed file that was covered or not passed on.

:func:`refusal_reason` says in a few words why a file was not passed on; the seller reads it in
the line that replaces a buyer's file (:mod:`bot.presentation.relayed`), the buyer in the note
:class:`BuyerFileNotes` writes for the order's thread on the marketplace. That note implements
:class:`bot.relay.buyer_notes.BuyerFileTexts`: plain text (the marketplace shows no markup) in the
buyer's language, naming the file by the name the buyer gave it, with any contact detail in that
name masked, since the seller reads the thread too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.files import (
    MAX_ATTACHMENTS,
    MAX_IMAGE_PIXELS,
    MAX_PDF_PAGES,
    MEGABYTE,
    SELLER_FILE_LIMIT,
    FileRefusal,
    FileType,
)
from bot.domain.masking import ContactKind, mask_contacts
from bot.i18n import Gettext, translator
from bot.presentation.contacts import contact_kind_names
from bot.presentation.limits import clip
from bot.relay.buyer_notes import FileNote

#: How much of the buyer's file name a note repeats.
FILENAME = 60
_SPACES = re.compile(r"\s+")


def refusal_reason(reason: FileRefusal, _: Gettext) -> str:
    """Why a file was not passed on, as the end of a sentence: "it is an animated picture…"."""
    reasons = {
        FileRefusal.TOO_BIG: _("it is larger than {limit} MB").format(
            limit=SELLER_FILE_LIMIT // MEGABYTE
        ),
        FileRefusal.NOT_ALLOWED: _("it is not a JPEG, PNG or WebP picture or a PDF"),
        FileRefusal.UNREADABLE: _("it is damaged or not what it says it is"),
        FileRefusal.TOO_MANY: _("a message carries at most {count} files").format(
            count=MAX_ATTACHMENTS
        ),
        FileRefusal.TOO_MANY_PIXELS: _("the picture is larger than {megapixels} megapixels").format(
            megapixels=MAX_IMAGE_PIXELS // 1_000_000
        ),
        FileRefusal.TOO_MANY_PAGES: _("the PDF has more than {pages} pages").format(
            pages=MAX_PDF_PAGES
        ),
        FileRefusal.ANIMATED: _("it is an animated picture, and only still pictures are passed on"),
        FileRefusal.ENCRYPTED: _(
            "the PDF is encrypted, so it cannot be checked for contact details"
        ),
        FileRefusal.SCRIPT: _("the PDF contains JavaScript"),
        FileRefusal.UNCHECKED: _("it could not be checked for contact details in time"),
    }
    return reasons[reason]


class BuyerFileNotes:
    """The notes a buyer reads on the order's thread about their files."""

    def covered(self, note: FileNote, file_type: FileType, kinds: Sequence[ContactKind]) -> str:
        _ = translator(note.locale)
        if file_type.image:
            text = _(
                "🔒 Automatic note: in your picture {name}, {what} were covered before the seller "
                "got it. The marketplace forbids exchanging contact details."
            )
        else:
            text = _(
                "🔒 Automatic note: in your PDF {name}, {what} were covered before the seller got "
                "it, as pictures of its pages. The marketplace forbids exchanging contact details."
            )
        return text.format(name=_name(note, _), what=contact_kind_names(kinds, _))

    def refused(self, note: FileNote, reason: FileRefusal) -> str:
        _ = translator(note.locale)
        return _(
            "⛔ Automatic note: your file {name} was not passed on to the seller: {reason}."
        ).format(name=_name(note, _), reason=refusal_reason(reason, _))


def _name(note: FileNote, _: Gettext) -> str:
    """The file's name as the buyer gave it, quoted, on one line, contact details masked."""
    name = _SPACES.sub(" ", mask_contacts(note.filename).text).strip()
    if not name:
        return _("number {index}").format(index=note.index)
    return _("“{name}”").format(name=clip(name, FILENAME))
