"""Away mode's rules: the date it ends, the message buyers read, and whether it is on today.

``/away 2026-12-10 Back on Monday`` (or ``10.12.2026``): away through the 9th, back on the 10th,
in the seller's own time zone. The message is refused if it carries a contact detail.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.domain.masking import ContactKind, mask_contacts

MAX_AWAY_DAYS = 366
MAX_AWAY_MESSAGE = 1000
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_DOTTED = re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$")


class AwayRefused(ValueError):
    """``reason``: "date", "past", "too_far", "empty", "too_long" or "contact" (with ``kinds``)."""

    def __init__(self, reason: str, kinds: frozenset[ContactKind] = frozenset()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kinds = kinds


def parse_until(raw: str, today: date) -> date:
    """The date away mode ends: ``YYYY-MM-DD`` or ``DD.MM.YYYY``, after today, within a year."""
    match = _ISO.match(raw.strip()) or _DOTTED.match(raw.strip())
    if match is None:
        raise AwayRefused("date")
    try:
        until = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise AwayRefused("date") from None
    if until <= today:
        raise AwayRefused("past")
    if until > today + timedelta(days=MAX_AWAY_DAYS):
        raise AwayRefused("too_far")
    return until


def check_message(text: str) -> str:
    """The message buyers will read (trimmed), or :class:`AwayRefused` with the reason."""
    text = text.strip()
    if not text:
        raise AwayRefused("empty")
    if len(text) > MAX_AWAY_MESSAGE:
        raise AwayRefused("too_long")
    found = mask_contacts(text).kinds
    if found:
        raise AwayRefused("contact", found)
    return text


def is_away(until: date | None, today: date) -> bool:
    """Away today: the seller is back on ``until``."""
    return until is not None and today < until
