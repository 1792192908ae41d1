"""Reading a label photo for the SHIPPED flow: the worker job, then the choice of number.

    reading = await labels.read(photo_bytes, expected_carrier="econt")
    reading.outcome      # Outcome.OFFER, NOT_FITTING, NOTHING, BLURRED, TOO_LARGE, ...
    reading.offer        # the TrackingNumber to offer with "Use it", when there is one

The photo is opened only in a worker process (:class:`JobRunner`, the scanning pool), under its
time, memory and pixel limits; a worker that fails or runs out of time is one more outcome
(:attr:`Outcome.FAILED`), never an error that ends the step.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from bot.domain.labels import Source, choose
from bot.domain.tracking import TrackingNumber
from bot.scanning.labels import LabelRefused, LabelScan, read_label

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds a label may take in the worker: the codes need well under one, but the first photo
#: that needs its print read loads the OCR model in that worker (several seconds on a busy
#: machine).
TIME_LIMIT = 30.0


class JobRunner(Protocol):
    """Runs a function in a worker process (``bot.scanning.pool.ScanPool`` is one)."""

    async def run(
        self, function: Callable[..., T], *args: Any, time_limit: float | None = None
    ) -> T: ...


class Outcome(enum.StrEnum):
    OFFER = "offer"
    #: codes or a number were found, but none fits the buyer's carrier
    NOT_FITTING = "not_fitting"
    #: no code could be read; the print shows a fitting number without a check digit to prove
    #: the reading: shown, for the seller to type
    UNCHECKED = "unchecked"
    NOTHING = "nothing"
    BLURRED = "blurred"
    TOO_LARGE = "too_large"
    NOT_AN_IMAGE = "not_an_image"
    #: the worker crashed or ran out of time
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LabelReading:
    outcome: Outcome
    offer: TrackingNumber | None = None
    #: what was found, for NOT_FITTING: a barcode, a 2D code or print
    found: Source | None = None
    #: the carriers whose numbers were found instead, for NOT_FITTING
    other_carriers: tuple[str, ...] = ()
    #: what the print seems to say, for UNCHECKED
    unchecked: TrackingNumber | None = None


class LabelReader:
    def __init__(
        self, runner: JobRunner, *, max_pixels: int, time_limit: float = TIME_LIMIT
    ) -> None:
        self._runner = runner
        self._max_pixels = max_pixels
        self._time_limit = time_limit

    async def read(self, data: bytes, expected_carrier: str | None) -> LabelReading:
        """What the photo ``data`` offers for an order the buyer sends with the carrier."""
        try:
            scan: LabelScan = await self._runner.run(
                read_label, data, expected_carrier, self._max_pixels, time_limit=self._time_limit
            )
        except LabelRefused as refusal:
            return LabelReading(Outcome(refusal.reason))
        except Exception:
            log.warning("the label reader failed on a photo", exc_info=True)
            return LabelReading(Outcome.FAILED)
        choice = choose(scan.findings, expected_carrier)
        if choice.offer is not None:
            return LabelReading(Outcome.OFFER, offer=choice.offer)
        if choice.unchecked is not None:
            return LabelReading(Outcome.UNCHECKED, unchecked=choice.unchecked)
        if choice.found is not None:
            return LabelReading(
                Outcome.NOT_FITTING, found=choice.found, other_carriers=choice.other_carriers
            )
        return LabelReading(Outcome.BLURRED if scan.blurred else Outcome.NOTHING)
