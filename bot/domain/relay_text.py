"""Text rules of the buyer ↔ seller relay: splitting long messages and exposing hidden targets.

Telegram counts a message's length in UTF-16 code units (an emoji counts two) after the markup
is parsed, so lengths here are measured the same way. A long message is split on a paragraph
break if one falls in the second half of the allowed length, else on a line break, else on a
space; a word is cut only when it alone is longer than a whole message.

A seller's Telegram message can hide a contact detail where masking cannot see it: a link behind
ordinary words (``text_link``) or a mention of a user who has no username (``text_mention``).
:func:`expose_hidden` puts the link target into the text, so masking judges it, and hides the
mention itself; Telegram's own phone, e-mail and @mention entities are hidden too, whatever
masking makes of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.domain.masking import MASK, ContactKind

#: Telegram's limit for a message's text, and for a caption.
TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024
#: The marketplace's limit for a message's text (POST /v1/orders/{id}/messages).
MARKETPLACE_TEXT_LIMIT = 4000

Measure = Callable[[str], int]


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int, measure: Measure) -> int:
    """The largest index ``i`` with ``measure(text[:i]) <= limit``."""
    if measure is len:
        return min(limit, len(text))
    used = 0
    for index, char in enumerate(text):
        used += measure(char)
        if used > limit:
            return index
    return len(text)


def _cut_point(window: str, fits: int) -> tuple[int, int]:
    """Where to cut: (end of this piece, start of the rest); ``window`` runs past ``fits``."""
    for floor in (fits // 2, 1):
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator, floor, fits + len(separator))
            if at >= floor:
                return at, at + len(separator)
    return fits, fits


def split_text(text: str, limit: int, *, measure: Measure = utf16_len) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` (by ``measure``), at natural breaks."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while rest and measure(rest) > limit:
        fits = _fitting_prefix(rest, limit, measure)
        if fits == 0:
            raise ValueError("a single character is longer than the limit")
        end, start = _cut_point(rest[: fits + 2], fits)
        piece = rest[:end].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[start:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


@dataclass(frozen=True, slots=True)
class Entity:
    """A Telegram message entity, reduced to what matters here (offsets in UTF-16 units)."""

    type: str
    offset: int
    length: int
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Exposed:
    text: str
    hidden: frozenset[ContactKind]


_HIDDEN_AS = {
    "phone_number": ContactKind.PHONE,
    "email": ContactKind.EMAIL,
    "mention": ContactKind.HANDLE,
    "text_mention": ContactKind.HANDLE,
}


def expose_hidden(text: str, entities: Sequence[Entity]) -> Exposed:
    """Write ``text_link`` targets out after their words and hide contact-like entities."""
    units = text.encode("utf-16-le")
    pieces: list[str] = []
    hidden: set[ContactKind] = set()
    cursor = 0
    for entity in sorted(entities, key=lambda e: (e.offset, -e.length)):
        start, end = entity.offset * 2, (entity.offset + entity.length) * 2
        if start < cursor or end > len(units):
            continue  # nested inside one already handled, or malformed
        kind = _HIDDEN_AS.get(entity.type)
        if kind is not None:
            pieces.append(units[cursor:start].decode("utf-16-le"))
            pieces.append(MASK)
            hidden.add(kind)
            cursor = end
        elif entity.type == "text_link" and entity.url:
            pieces.append(units[cursor:end].decode("utf-16-le"))
            pieces.append(f" ({entity.url})")
            cursor = end
    pieces.append(units[cursor:].decode("utf-16-le"))
    return Exposed("".join(pieces), frozenset(hidden))
