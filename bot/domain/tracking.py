"""Tracking numbers for the SHIPPED status: normalise what the seller typed, name its carrier.

A seller marks an order SHIPPED with the number from the courier's label. This module checks that
the number has a carrier's shape (and check digit, where the format has one) and that it fits the
delivery option the buyer chose::

    parse_tracking_number("rb 123-456-785 bg", expected_carrier="bgpost")
    # TrackingNumber(number="RB123456785BG", carrier="bgpost", carrier_name="Bulgarian Posts")

Formats: UPU S10 (Bulgarian Posts for ``…BG``, USPS for ``…US``, any other post as ``other``),
Econt (13 digits), Speedy (11 or 12 digits), DHL (10-digit Express waybill with its mod-7 check
digit, ``JD``/``JJD`` piece numbers, ``GM`` eCommerce numbers, ``00340434…`` Paket numbers),
UPS (``1Z…`` with its check digit), and the FedEx and USPS formats the ``tracking_numbers``
package knows. The package's UPS and S10 rules are not used: its UPS rule fails on a letter in the
check-digit place and refuses service codes it has not heard of, and its S10 rule has no carrier
for the country.

Deciding between carriers, in this order:

1. the expected carrier's format fits: the number is the expected carrier's (a 12-digit number
   for a Speedy delivery is Speedy's, even when it also passes FedEx's check);
2. the expected carrier's format fits but its check digit does not: ``bad_check_digit``, unless
   the number has another carrier's own shape (then step 3);
3. another carrier's format fits: ``carrier_mismatch`` (no expectation: that carrier);
4. a shape no one else uses (S10, ``1Z``) with a wrong check digit: ``bad_check_digit``;
5. the buyer chose ``other``: any plausible 8–30 characters pass as ``other``;
6. otherwise ``unknown_format``.

For an ``other`` delivery only a carrier's own shape (S10, ``1Z``, DHL's prefixes) is named; a
bare run of digits stays ``other``, since many couriers print such numbers and a one-digit check
passes for about one number in ten. An
expected carrier code this module does not know is treated like ``other``, so that a carrier
the marketplace adds later does not block shipping. Without an expectation, Econt and Speedy come
before FedEx for a 12-digit number: this is a Bulgarian marketplace.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import tracking_numbers

CARRIER_NAMES: dict[str, str] = {
    "econt": "Econt",
    "speedy": "Speedy",
    "bgpost": "Bulgarian Posts",
    "dhl": "DHL",
    "ups": "UPS",
    "fedex": "FedEx",
    "usps": "USPS",
    "other": "Other",
}

#: The carrier codes the marketplace accepts; the rest are sent as ``other``.
MARKETPLACE_CARRIERS = frozenset({"econt", "speedy", "bgpost", "dhl", "ups", "fedex", "other"})

MIN_LENGTH = 8
#: Long enough for a scanned FedEx or USPS barcode (34 digits).
MAX_LENGTH = 34
#: The longest number accepted for an ``other`` carrier without a known format.
MAX_OTHER_LENGTH = 30

REASONS = (
    "empty",
    "too_short",
    "too_long",
    "bad_characters",
    "bad_check_digit",
    "unknown_format",
    "carrier_mismatch",
)

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")
_ALPHANUMERIC = re.compile(r"[A-Z0-9]+")
_S10 = re.compile(r"[A-Z]{2}(?P<serial>\d{8})(?P<check>\d)(?P<country>[A-Z]{2})")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10_CARRIERS = {"BG": "bgpost", "US": "usps"}
_UPS = re.compile(r"1Z(?P<body>[A-Z0-9]{8}\d{7})(?P<check>\d)")
_DHL_PREFIXED = re.compile(r"JJD\d{10,24}|JD\d{18}|GM\d{16,22}|00340434\d{12}")
_ECONT = re.compile(r"\d{13}")
_SPEEDY = re.compile(r"\d{11,12}")
#: Formats taken from the package: its courier code, and the products to use (None: all).
_PACKAGE_PRODUCTS: dict[str, frozenset[str] | None] = {
    "dhl": frozenset({"DHL Express"}),
    "fedex": None,
    "usps": None,
}


@dataclass(frozen=True, slots=True)
class TrackingNumber:
    """A tracking number fit to send with SHIPPED."""

    number: str
    carrier: str
    carrier_name: str

    @property
    def marketplace_carrier(self) -> str:
        """The carrier code as the marketplace knows it (``usps`` is not one of them)."""
        return self.carrier if self.carrier in MARKETPLACE_CARRIERS else "other"


class TrackingRefused(ValueError):
    """A number that cannot go with SHIPPED; ``reason`` is one of :data:`REASONS`.

    ``detected`` names the carriers whose format the number fits, for a ``carrier_mismatch``
    message ("this looks like a UPS number").
    """

    def __init__(
        self,
        reason: str,
        expected_carrier: str | None = None,
        detected: tuple[str, ...] = (),
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expected_carrier = expected_carrier
        self.detected = detected


@dataclass(frozen=True, slots=True)
class _Fit:
    """One carrier's format that the number's shape fits."""

    carrier: str
    carrier_name: str
    check_ok: bool
    #: Letters or a prefix no other carrier uses, not just a count of digits.
    distinctive: bool


def normalise(raw: str) -> str:
    """Upper case, without the spaces and dashes people copy from labels."""
    return _SEPARATORS.sub("", raw).upper()


def detect_carriers(number: str) -> tuple[str, ...]:
    """Every carrier whose format (and check digit) the number fits, best match first."""
    found = [fit.carrier for fit in _fits(normalise(number)) if fit.check_ok]
    return tuple(dict.fromkeys(found))


def parse_tracking_number(raw: str, expected_carrier: str | None = None) -> TrackingNumber:
    """Normalise ``raw`` and name its carrier, or raise :class:`TrackingRefused`.

    ``expected_carrier`` is the carrier of the delivery option the buyer chose.
    """
    number = normalise(raw)
    expected = expected_carrier.lower() if expected_carrier else None
    lenient = expected is not None and (expected == "other" or expected not in CARRIER_NAMES)

    def refuse(reason: str, fits: list[_Fit] | None = None) -> TrackingRefused:
        detected = tuple(dict.fromkeys(f.carrier for f in fits or () if f.check_ok))
        return TrackingRefused(reason, expected, detected)

    if not number:
        raise refuse("empty")
    if not _ALPHANUMERIC.fullmatch(number):
        raise refuse("bad_characters")
    if len(number) < MIN_LENGTH:
        raise refuse("too_short")
    if len(number) > MAX_LENGTH:
        raise refuse("too_long")

    fits = _fits(number)
    valid = [fit for fit in fits if fit.check_ok]
    if expected is not None and not lenient:
        for fit in valid:
            if fit.carrier == expected:
                return TrackingNumber(number, fit.carrier, fit.carrier_name)
        own_shape_elsewhere = any(fit.distinctive for fit in valid)
        if not own_shape_elsewhere and any(fit.carrier == expected for fit in fits):
            raise refuse("bad_check_digit", fits)
        if valid:
            raise refuse("carrier_mismatch", fits)
    else:
        for fit in valid:
            if fit.distinctive or not lenient:
                return TrackingNumber(number, fit.carrier, fit.carrier_name)
    if not valid and any(fit.distinctive for fit in fits):
        raise refuse("bad_check_digit", fits)
    if lenient and len(number) <= MAX_OTHER_LENGTH:
        return TrackingNumber(number, "other", CARRIER_NAMES["other"])
    raise refuse("unknown_format", fits)


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of the eight-digit serial number."""
    total = sum(int(digit) * weight for digit, weight in zip(serial, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def ups_check_digit(body: str) -> int:
    """The check digit of a ``1Z`` number, from the 15 characters between ``1Z`` and it.

    Letters count as ``(ord - 63) % 10`` (A=2 … H=9, I=0, J=1, …); every second character
    counts double.
    """
    values = [int(ch) if ch.isdigit() else (ord(ch) - 63) % 10 for ch in body]
    total = sum(values[0::2]) + 2 * sum(values[1::2])
    return (10 - total % 10) % 10


def _fits(number: str) -> list[_Fit]:
    """The formats the number's shape fits, best first: own shapes, local couriers, the rest."""
    fits: list[_Fit] = []
    for finder in _FINDERS:
        fits.extend(finder(number))
    return fits


def _s10(number: str) -> Iterator[_Fit]:
    match = _S10.fullmatch(number)
    if match:
        country = match["country"]
        carrier = _S10_CARRIERS.get(country, "other")
        name = CARRIER_NAMES[carrier] if carrier != "other" else f"Post ({country})"
        check_ok = s10_check_digit(match["serial"]) == int(match["check"])
        yield _Fit(carrier, name, check_ok, distinctive=True)


def _ups(number: str) -> Iterator[_Fit]:
    match = _UPS.fullmatch(number)
    if match:
        check_ok = ups_check_digit(match["body"]) == int(match["check"])
        yield _Fit("ups", CARRIER_NAMES["ups"], check_ok, distinctive=True)


def _dhl_prefixed(number: str) -> Iterator[_Fit]:
    if _DHL_PREFIXED.fullmatch(number):
        yield _Fit("dhl", CARRIER_NAMES["dhl"], check_ok=True, distinctive=True)


def _local_couriers(number: str) -> Iterator[_Fit]:
    if _ECONT.fullmatch(number):
        yield _Fit("econt", CARRIER_NAMES["econt"], check_ok=True, distinctive=False)
    if _SPEEDY.fullmatch(number):
        yield _Fit("speedy", CARRIER_NAMES["speedy"], check_ok=True, distinctive=False)


def _package_formats(number: str) -> Iterator[_Fit]:
    for definition in tracking_numbers.DEFINITIONS:
        carrier = definition.courier.code
        if carrier not in _PACKAGE_PRODUCTS:
            continue
        products = _PACKAGE_PRODUCTS[carrier]
        if products is not None and definition.product.name not in products:
            continue
        found = definition.test(number)
        if found is None:
            continue
        failures = {name for name, _ in found.validation_errors}
        if failures - {"checksum"}:
            continue  # e.g. an unknown service type: not this format at all
        yield _Fit(carrier, CARRIER_NAMES[carrier], not failures, distinctive=False)


_FINDERS: tuple[Callable[[str], Iterator[_Fit]], ...] = (
    _s10,
    _ups,
    _dhl_prefixed,
    _local_couriers,
    _package_formats,
)
