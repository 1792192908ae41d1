"""What of a seller's Telegram message may go to a buyer, and the lines that explain the rest.

Text, photos and documents (each with its caption) pass, masked and cleaned. Everything else is
refused with a reason the seller can act on:

- contact cards and shared users or chats: they are contact details;
- locations, live locations and venues: they say where the seller is;
- voice notes, video notes and audio: they carry the seller's voice;
- videos, animations and live photos: the bot cannot remove the GPS position and other details
  hidden in them, and they may carry a voice too; a photo says the same without them;
- stickers, polls, dice, games, stories, checklists and the like: they lead to a Telegram
  profile or mean nothing on the marketplace.

A message is always re-sent as new content, never forwarded, so nothing of its Telegram origin
(the sender's name, profile or forward header) reaches the marketplace.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from telegram import Message
from telegram.ext import filters

from bot.domain.files import (
    JPEG,
    MAX_IMAGE_PIXELS,
    MAX_PDF_PAGES,
    MEGABYTE,
    PDF,
    SELLER_FILE_LIMIT,
    FileRefusal,
    FileRefused,
)
from bot.domain.masking import MASK, ContactKind
from bot.domain.relay_text import MARKETPLACE_TEXT_LIMIT, Entity, Exposed, expose_hidden
from bot.i18n import Gettext
from bot.presentation.contacts import contact_kind_names
from bot.scanning.jobs import Scanned


class Refusal(enum.StrEnum):
    CONTACT = "contact"
    LOCATION = "location"
    VOICE = "voice"
    VIDEO = "video"
    STICKER = "sticker"
    GAME = "game"
    STORY = "story"
    OTHER = "other"


#: Checked in this order: an animation also carries a ``document``, a venue a ``location``.
_REFUSED_ATTRIBUTES: tuple[tuple[str, Refusal], ...] = (
    ("contact", Refusal.CONTACT),
    ("users_shared", Refusal.CONTACT),
    ("chat_shared", Refusal.CONTACT),
    ("venue", Refusal.LOCATION),
    ("location", Refusal.LOCATION),
    ("voice", Refusal.VOICE),
    ("video_note", Refusal.VOICE),
    ("audio", Refusal.VOICE),
    ("animation", Refusal.VIDEO),
    ("video", Refusal.VIDEO),
    ("live_photo", Refusal.VIDEO),
    ("sticker", Refusal.STICKER),
    ("poll", Refusal.GAME),
    ("dice", Refusal.GAME),
    ("game", Refusal.GAME),
    ("checklist", Refusal.GAME),
    ("story", Refusal.STORY),
    ("paid_media", Refusal.OTHER),
    ("invoice", Refusal.OTHER),
    ("giveaway", Refusal.OTHER),
    ("gift", Refusal.OTHER),
    ("passport_data", Refusal.OTHER),
)

#: The messages refused anywhere, also outside a reply (for the registry).
REFUSED = (
    filters.CONTACT
    | filters.StatusUpdate.USERS_SHARED
    | filters.StatusUpdate.CHAT_SHARED
    | filters.LOCATION
    | filters.VENUE
    | filters.VOICE
    | filters.VIDEO_NOTE
    | filters.AUDIO
    | filters.ANIMATION
    | filters.VIDEO
    | filters.LIVE_PHOTO
    | filters.Sticker.ALL
    | filters.POLL
    | filters.Dice.ALL
    | filters.GAME
    | filters.CHECKLIST
    | filters.STORY
    | filters.PAID_MEDIA
    | filters.INVOICE
    | filters.GIVEAWAY
    | filters.PASSPORT_DATA
)
#: What the relay passes on.
RELAYABLE = filters.TEXT | filters.PHOTO | filters.Document.ALL


def refusal(message: Message) -> Refusal | None:
    """Why ``message`` may not go to a buyer, or None when it may."""
    for attribute, reason in _REFUSED_ATTRIBUTES:
        if getattr(message, attribute, None):
            return reason
    if message.text is None and not message.photo and message.document is None:
        return Refusal.OTHER
    return None


def refusal_text(reason: Refusal, _: Gettext) -> str:
    texts = {
        Refusal.CONTACT: _(
            "Contact cards are not passed on to buyers: the marketplace forbids exchanging "
            "contact details. Write your message as text."
        ),
        Refusal.LOCATION: _(
            "Locations are not passed on to buyers: they show where you are, and the "
            "marketplace forbids exchanging contact details. Write the place as text if needed."
        ),
        Refusal.VOICE: _(
            "Voice notes, video notes and audio are not passed on to buyers: they carry your "
            "voice. Write your message as text."
        ),
        Refusal.VIDEO: _(
            "Videos are not passed on to buyers: the bot cannot remove the location and other "
            "details hidden in them. Send a photo instead."
        ),
        Refusal.STICKER: _("Stickers are not passed on to buyers. Write your message as text."),
        Refusal.GAME: _("Polls, dice, games and checklists are not passed on to buyers."),
        Refusal.STORY: _("Stories are not passed on to buyers: they lead to your profile."),
        Refusal.OTHER: _(
            "This kind of message is not passed on to buyers. Send text, a photo or a PDF."
        ),
    }
    return texts[reason]


def file_refusal_text(refused: FileRefused, _: Gettext) -> str:
    limit = SELLER_FILE_LIMIT // MEGABYTE
    if refused.reason is FileRefusal.TOO_BIG:
        return _(
            "That file is too big: up to {limit} MB can be passed on to the buyer "
            "(Telegram's and the marketplace's limit)."
        ).format(limit=limit)
    if refused.reason is FileRefusal.UNREADABLE:
        return _("That file could not be read: it is damaged or not what it says it is.")
    special = _file_refusals(_)
    if refused.reason in special:
        return special[refused.reason]
    if refused.detail == "HEIC":
        return _(
            "HEIC pictures are not passed on. Send the picture as a photo (not as a file) "
            "and Telegram turns it into a {jpeg}."
        ).format(jpeg=JPEG.name)
    return _(
        "Only JPEG, PNG and WebP pictures and PDF documents are passed on to the buyer. "
        "This file is none of them."
    )


def _file_refusals(_: Gettext) -> dict[FileRefusal, str]:
    megapixels = MAX_IMAGE_PIXELS // 1_000_000
    return {
        FileRefusal.TOO_MANY_PIXELS: _(
            "That picture is too large: up to {megapixels} megapixels are passed on."
        ).format(megapixels=megapixels),
        FileRefusal.TOO_MANY_PAGES: _(
            "That PDF has too many pages: up to {pages} are passed on. Split it."
        ).format(pages=MAX_PDF_PAGES),
        FileRefusal.ANIMATED: _("Animated pictures are not passed on. Send a still photo."),
        FileRefusal.ENCRYPTED: _(
            "That PDF is encrypted or has a password, so it cannot be checked for contact "
            "details. Send it without the password."
        ),
        FileRefusal.SCRIPT: _(
            "That PDF contains JavaScript, which is not passed on. Save or print it as a "
            "plain PDF and send it again."
        ),
        FileRefusal.UNCHECKED: _(
            "That file could not be checked for contact details in time, so it was not sent. "
            "Try again, or send a smaller file."
        ),
    }


def covered_text(scanned: Scanned, _: Gettext) -> str:
    """Tell the seller what was covered in their file before it goes to the buyer."""
    what = contact_kind_names(scanned.covered, _)
    if scanned.file_type == PDF:
        text = _(
            "🔒 Covered in your PDF: {what}. The buyer gets it as pictures of its pages, "
            "with black boxes over them."
        )
    else:
        text = _("🔒 Covered in your photo: {what}. The buyer gets it with black boxes over them.")
    return text.format(what=what)


def too_long_text(length: int, _: Gettext) -> str:
    return _(
        "That message has {length} characters; a message to the buyer holds at most {limit}. "
        "Shorten it, or send it in two parts."
    ).format(length=length, limit=MARKETPLACE_TEXT_LIMIT)


def hidden_text(kinds: Iterable[ContactKind], _: Gettext) -> str:
    """Tell the seller what was hidden from their message, and why."""
    what = contact_kind_names(kinds, _)
    return _(
        "🔒 Hidden from your message: {what}. The marketplace forbids exchanging contact "
        "details, so the buyer sees {mask} in their place."
    ).format(what=what, mask=MASK)


def exposed(message: Message) -> Exposed:
    """The message's text or caption with hidden link targets written out and mentions hidden."""
    text = message.text if message.text is not None else message.caption or ""
    raw = message.entities if message.text is not None else message.caption_entities
    entities = [Entity(e.type, e.offset, e.length, e.url) for e in raw or ()]
    return expose_hidden(text, entities)
