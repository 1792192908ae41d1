"""Hide contact details in a relayed buyer/seller message, and say what was hidden.

    result = mask_contacts("Звънни ми на 0888 123 456")
    result.text      # "Звънни ми на [•••]"
    result.kinds     # frozenset({ContactKind.PHONE})

Phone numbers (also disguised: spaced out, broken up by letters, written in words, with
look-alike letters, keycap emoji or invisible characters, or missing their "0"), e-mail addresses
(also "ivan маймунка abv точка bg", "i v a n @ g m a i l . c o m"), links and bare domains,
messenger handles, bank accounts (IBANs), payment handles and links (Revolut, PayPal…) and street
addresses given to meet or to pick up are replaced by `MASK`. Everything else comes back
unchanged, character for character: order, waybill, invoice and company numbers, prices, dates,
sizes, cities and couriers' offices are not contacts. Links and e-mail addresses on
`allowed_domains` (the marketplace's own) are left alone. Each `Finding` says where in the
original text it lies, so a caller holding positions (text read from a picture) can cover it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.masking.addresses import find_addresses
from bot.domain.masking.context import protected_spans
from bot.domain.masking.emails import find_emails
from bot.domain.masking.handles import find_handles
from bot.domain.masking.ibans import find_ibans
from bot.domain.masking.links import find_links
from bot.domain.masking.normalise import Normalised, normalise
from bot.domain.masking.phones import find_phones
from bot.domain.masking.spaced import collapse_spaced, inside

__all__ = ["MASK", "ContactKind", "Finding", "MaskResult", "mask_contacts"]

MASK = "[•••]"
DEFAULT_ALLOWED_DOMAINS = ("chopni.bg", "chopni.com")


class ContactKind(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LINK = "link"
    HANDLE = "handle"
    BANK_ACCOUNT = "bank_account"
    PAYMENT = "payment"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class Finding:
    """A contact detail at [start, end) of the original text."""

    kind: ContactKind
    start: int
    end: int
    original: str


@dataclass(frozen=True, slots=True)
class MaskResult:
    text: str
    findings: tuple[Finding, ...]

    @property
    def changed(self) -> bool:
        return bool(self.findings)

    @property
    def kinds(self) -> frozenset[ContactKind]:
        return frozenset(finding.kind for finding in self.findings)


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
    if not spans:
        return MaskResult(text, ())
    findings = _outermost(
        Finding(kind, first, last, text[first:last]) for kind, first, last in spans
    )
    return MaskResult(_apply(text, findings), findings)


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


def _outermost(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Sort by position, dropping any finding that lies inside another."""
    ordered = sorted(findings, key=lambda finding: (finding.start, -finding.end))
    kept: list[Finding] = []
    for finding in ordered:
        if kept and finding.end <= kept[-1].end:
            continue
        kept.append(finding)
    return tuple(kept)


def _apply(text: str, findings: tuple[Finding, ...]) -> str:
    """Replace each run of touching or overlapping findings by one `MASK`."""
    pieces: list[str] = []
    cursor = 0
    reach = -1
    for finding in findings:
        if finding.start <= reach:
            reach = max(reach, finding.end)
            continue
        if reach >= 0:
            pieces.append(MASK)
            cursor = reach
        pieces.append(text[cursor : finding.start])
        reach = finding.end
    pieces.append(MASK)
    pieces.append(text[reach:])
    return "".join(pieces)
