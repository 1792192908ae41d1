"""Saved replies: the rules for a reply a seller keeps and fills in for one order.

A reply may use the placeholders ``{order}``, ``{tracking}``, ``{carrier}``, ``{ship_by}`` and
``{buyer}``, and nothing else in braces. A reply that contains a contact detail is refused when
it is saved (the marketplace forbids exchanging them): saying so then is kinder than masking it
at every use. Filled in, the text is built piece by piece, never with ``str.format``, so a
stored text cannot reach anything but the five values.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

from bot.domain.masking import ContactKind, mask_contacts

MAX_SAVED_REPLIES = 20
MAX_REPLY_LENGTH = 1000
PLACEHOLDERS = ("order", "tracking", "carrier", "ship_by", "buyer")


class TemplateRefused(ValueError):
    """``reason``: "empty", "too_long", "braces", "unknown_placeholder", "contact" or "missing".

    ``name`` is the placeholder concerned; ``kinds`` the contact details found.
    """

    def __init__(
        self, reason: str, *, name: str = "", kinds: frozenset[ContactKind] = frozenset()
    ) -> None:
        super().__init__(f"{reason} {name}".strip())
        self.reason = reason
        self.name = name
        self.kinds = kinds


def _pieces(text: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder name or None), in order; refuses what is not one of ours."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        raise TemplateRefused("braces") from None
    pieces = []
    for literal, field, spec, conversion in parsed:
        if field is not None and (field not in PLACEHOLDERS or spec or conversion):
            raise TemplateRefused("unknown_placeholder", name=field or "")
        pieces.append((literal, field))
    return pieces


def check_reply(text: str) -> str:
    """The reply as it is saved (trimmed), or :class:`TemplateRefused` with the reason."""
    text = text.strip()
    if not text:
        raise TemplateRefused("empty")
    if len(text) > MAX_REPLY_LENGTH:
        raise TemplateRefused("too_long")
    pieces = _pieces(text)
    # Placeholders count as a word break: "{order}" must not glue digits into a phone number.
    plain = "".join(literal + (" " if field else "") for literal, field in pieces)
    found = mask_contacts(plain).kinds
    if found:
        raise TemplateRefused("contact", kinds=found)
    return text


def fill_reply(text: str, values: Mapping[str, str | None]) -> str:
    """``text`` with each placeholder replaced; a value the order does not have yet refuses."""
    out = []
    for literal, field in _pieces(text):
        out.append(literal)
        if field is not None:
            value = values.get(field)
            if not value:
                raise TemplateRefused("missing", name=field)
            out.append(value)
    return "".join(out)
