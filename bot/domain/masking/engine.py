"""The masking engine: every detector run over one message, their findings merged."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.masking.addresses import find_addresses
from bot.domain.masking.context import protected_spans
from bot.domain.masking.emails import find_emails
from bot.domain.masking.handles import find_handles
from bot.domain.masking.ibans import find_ibans
from bot.domain.masking.links import find_links
from bot.domain.masking.normalise import Normalised, normalise
from bot.domain.masking.phones import find_phones
from bot.domain.masking.result import (
    DEFAULT_ALLOWED_DOMAINS,
    ContactKind,
    Finding,
    MaskResult,
    result_for,
)
from bot.domain.masking.spaced import collapse_spaced, inside


def mask_contacts(
    text: str, *, allowed_domains: Iterable[str] = DEFAULT_ALLOWED_DOMAINS
) -> MaskResult:
    """Replace every contact detail in `text` by `MASK`."""
    allowed = frozenset(domain.strip().lower() for domain in allowed_domains)
    norm = normalise(text)
    protected = protected_spans(norm.text)
    found = _links(norm, allowed, protected)
    found += [(ContactKind.EMAIL, start, end) for start, end in find_emails(norm.text, allowed)]
    found += [
        (ContactKind.PAYMENT if handle.payment else ContactKind.HANDLE, handle.start, handle.end)
        for handle in find_handles(norm.text)
    ]
    found += [(ContactKind.BANK_ACCOUNT, start, end) for start, end in find_ibans(norm.text)]
    addresses = find_addresses(norm)
    found += [(ContactKind.ADDRESS, start, end) for start, end in addresses]
    # A house, block or flat number is not a phone number's first digits.
    protected += addresses
    found += [(ContactKind.PHONE, start, end) for start, end in find_phones(norm.text, protected)]
    spans = [(kind, *norm.span(start, end)) for kind, start, end in found]
    spans += _spaced_out(norm, allowed)
    return result_for(
        text, (Finding(kind, first, last, text[first:last]) for kind, first, last in spans)
    )


def _links(
    norm: Normalised, allowed: frozenset[str], protected: list[tuple[int, int]]
) -> list[tuple[ContactKind, int, int]]:
    """Links that are not the marketplace's (whose spans join `protected`), by what they lead to."""
    found: list[tuple[ContactKind, int, int]] = []
    for link in find_links(norm, allowed):
        if link.allowed:
            protected.append((link.start, link.end))
        elif link.payment:
            found.append((ContactKind.PAYMENT, link.start, link.end))
        else:
            kind = ContactKind.HANDLE if link.messenger else ContactKind.LINK
            found.append((kind, link.start, link.end))
    return found


def _spaced_out(norm: Normalised, allowed: frozenset[str]) -> list[tuple[ContactKind, int, int]]:
    """E-mail addresses and links typed a character at a time, as spans of the original text."""
    spaced = collapse_spaced(norm)
    if spaced is None:
        return []
    closed, runs = spaced
    found = _links(closed, allowed, [])
    found += [(ContactKind.EMAIL, start, end) for start, end in find_emails(closed.text, allowed)]
    return [
        (kind, *closed.span(start, end)) for kind, start, end in found if inside(runs, start, end)
    ]
