"""Which tracking number a parcel's label carries, from what the label reader found on it.

The reader (:mod:`bot.scanning.labels`) hands over :class:`Finding` s: the payload of every
barcode and 2D code it decoded, and, when it found no code, the lines of print it read. This
module turns them into candidates and picks the one to offer::

    choose([Finding("1051602258993", Source.BARCODE, "Code128", 0.08)], expected_carrier="econt")
    # LabelChoice(offer=TrackingNumber("1051602258993", "econt", "Econt"), ...)

A candidate is offered only when :func:`~bot.domain.tracking.parse_tracking_number` accepts it
for the carrier the buyer chose, which also checks the check digit where the format has one.
Print is read by OCR, which drops and confuses characters, so a number read from print is
offered only when its format has a check digit (UPU S10, UPS ``1Z``); any other that fits is
returned as :attr:`LabelChoice.unchecked`, for the seller to type. Among those offered, a
decoded code beats print, a carrier's own shape (S10, ``1Z``, DHL's prefixes) beats a bare run of
digits, and a larger code beats a smaller one (the tracking barcode is the
largest on a label; references and sorting codes are smaller). Product codes (EAN, UPC) are never
tracking numbers. In print, a run that reads as a Bulgarian phone number is skipped: the
sender's phone is on most labels and Speedy's 12 digits would take it.

When nothing fits, :class:`LabelChoice` says what was found, for "a barcode, but it is not an
Econt number", and which carriers the numbers that were found belong to.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from bot.domain.tracking import (
    MAX_LENGTH,
    MIN_LENGTH,
    TrackingNumber,
    TrackingRefused,
    parse_tracking_number,
)


class LabelRefused(ValueError):
    """A picture the reader will not open; ``reason`` is ``not_an_image`` or ``too_large``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Source(enum.StrEnum):
    """Where on the label a finding came from."""

    BARCODE = "barcode"
    #: a 2D code: QR, Data Matrix, PDF417, Aztec
    CODE_2D = "code_2d"
    PRINT = "print"


#: Symbologies that carry a product's number, never a parcel's.
PRODUCT_SYMBOLOGIES = frozenset(
    {"EAN13", "EAN8", "UPCA", "UPCE", "ISBN", "EAN2", "EAN5", "EANUPC", "DataBar"}
)
#: How many words of print or payload may make up one number ("RB 123 456 785 BG" is five).
_MAX_WORDS = 6
#: Every format in :mod:`bot.domain.tracking` has at least this many digits.
_MIN_DIGITS = 6
_RUN = re.compile(r"[A-Z0-9]+(?:[ \-][A-Z0-9]+)*")
_PHONE = re.compile(r"(?:359|0)[89]\d{8}")
#: Formats whose check digit proves a reading from print: UPU S10 and UPS.
_CHECKED = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}|1Z[A-Z0-9]{16}")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the reader found: a code's payload or a line of print."""

    text: str
    source: Source
    #: the code's symbology as zxing-cpp names it ("Code128", "QRCode"); "" for print
    symbology: str = ""
    #: the share of the picture it covers, 0..1 (larger codes are preferred)
    area: float = 0.0

    @property
    def is_product_code(self) -> bool:
        return self.symbology in PRODUCT_SYMBOLOGIES


@dataclass(frozen=True, slots=True)
class LabelChoice:
    """The number to offer, or what was found instead."""

    offer: TrackingNumber | None
    #: the kind of the best finding when nothing is offered (None: nothing at all was found)
    found: Source | None
    #: carriers of valid numbers that do not fit the buyer's choice, best first
    other_carriers: tuple[str, ...] = ()
    #: other numbers that fit too (a label rarely has two), best first
    alternatives: tuple[TrackingNumber, ...] = ()
    #: a number read from print that fits but has no check digit to prove the reading
    unchecked: TrackingNumber | None = None


def candidates(finding: Finding) -> Iterator[str]:
    """Strings in ``finding`` that could be a tracking number, each normalised, once.

    A payload or line is cut into runs of letters and digits (a URL's path and query, GS1's
    ``(00)`` brackets and colons end a run); within a run, up to :data:`_MAX_WORDS` consecutive
    words joined make a candidate, since labels print numbers in groups.
    """
    if finding.is_product_code:
        return
    seen: set[str] = set()
    for run in _RUN.findall(finding.text.upper()):
        words = re.split(r"[ \-]", run)
        for start in range(len(words)):
            joined = ""
            for word in words[start : start + _MAX_WORDS]:
                joined += word
                if len(joined) > MAX_LENGTH:
                    break
                if len(joined) >= MIN_LENGTH and _plausible(joined) and joined not in seen:
                    seen.add(joined)
                    yield joined
    if finding.source is not Source.PRINT:
        # GS1 element strings: DHL Paket's "(00)340434…" is one number with its "00".
        gs1 = re.sub(r"[()\s]", "", finding.text.upper())
        fits = gs1.isalnum() and MIN_LENGTH <= len(gs1) <= MAX_LENGTH
        if fits and _plausible(gs1) and gs1 not in seen:
            yield gs1


def _plausible(candidate: str) -> bool:
    """Every carrier's number is mostly digits; words and URLs are not."""
    return sum(ch.isdigit() for ch in candidate) >= _MIN_DIGITS


def has_tracking_shape(finding: Finding) -> bool:
    """Whether any candidate in ``finding`` is some carrier's valid number (the reader stops
    trying other angles and contrasts once one is)."""
    for candidate in candidates(finding):
        try:
            parse_tracking_number(candidate)
        except TrackingRefused:
            continue
        return True
    return False


def choose(findings: Sequence[Finding], expected_carrier: str | None) -> LabelChoice:
    """The best number for ``expected_carrier`` among ``findings``, or what was found instead."""
    fitting: list[tuple[tuple[int, int, float, int], TrackingNumber]] = []
    elsewhere: list[str] = []
    unchecked: TrackingNumber | None = None
    for position, finding in enumerate(findings):
        for candidate in _usable(finding):
            try:
                number = parse_tracking_number(candidate, expected_carrier=expected_carrier)
            except TrackingRefused as refusal:
                elsewhere.extend(refusal.detected if refusal.reason == "carrier_mismatch" else ())
                continue
            if finding.source is Source.PRINT and number.carrier == "other":
                continue  # any word with digits passes as "other": print must name a carrier
            if finding.source is Source.PRINT and not _CHECKED.fullmatch(number.number):
                unchecked = unchecked or number
                continue
            rank = (
                0 if finding.source is not Source.PRINT else 1,
                0 if number.carrier != "other" else 1,
                -finding.area,
                position,
            )
            fitting.append((rank, number))
    fitting.sort(key=lambda pair: pair[0])
    ranked = list(dict.fromkeys(number for _rank, number in fitting))
    if ranked:
        return LabelChoice(offer=ranked[0], found=None, alternatives=tuple(ranked[1:]))
    return LabelChoice(
        offer=None,
        found=_kind_found(findings),
        other_carriers=tuple(dict.fromkeys(elsewhere)),
        unchecked=unchecked,
    )


def _usable(finding: Finding) -> Iterable[str]:
    for candidate in candidates(finding):
        if finding.source is Source.PRINT and _PHONE.fullmatch(candidate):
            continue
        yield candidate


def _kind_found(findings: Sequence[Finding]) -> Source | None:
    """The most telling kind of finding: a code over print; print only if it has a number."""
    kinds = {finding.source for finding in findings}
    for kind in (Source.BARCODE, Source.CODE_2D):
        if kind in kinds:
            return kind
    if any(f.source is Source.PRINT and any(c.isdigit() for c in f.text) for f in findings):
        return Source.PRINT
    return None
