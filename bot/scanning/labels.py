"""The label reader: a photo of a parcel's label in, the codes and print found on it out.

:func:`read_label` is a job for the scanning pool (it opens untrusted bytes, so it runs in a
worker process, never in the bot's)::

    scan = await pool.run(read_label, photo_bytes, "econt")
    choice = choose(scan.findings, "econt")   # bot.domain.labels

It decodes every barcode and 2D code with zxing-cpp. A phone photo is rarely straight, and a
linear code tilted by more than about 15° is missed, so when no code gives a number that fits the
buyer's carrier it tries again on the picture turned by ±15°, ±30° and ±45°, then with the
contrast stretched and sharpened (glare, grey thermal print), then enlarged (a small code). It
stops at the first try that gives a fitting number. Only when no code at all could be decoded,
and the photo is not too blurred to read, does it read the print with the shared OCR engine
(:func:`bot.scanning.ocr.read_lines`, loaded once per worker): a label whose barcode is torn,
smudged or covered by tape still has its number printed. (A picture whose codes decode but hold
no number is another carrier's label or not a label; its print would tell nothing more.)

Refusals (:class:`LabelRefused`) say why a picture cannot be read at all: not a picture, or more
pixels than a worker may decode.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.domain.files import MAX_IMAGE_PIXELS
from bot.domain.labels import Finding, LabelRefused, Source, choose

__all__ = ["LabelRefused", "LabelScan", "read_label"]


@dataclass(frozen=True, slots=True)
class LabelScan:
    """What the reader found, and whether the photo was too blurred to find anything."""

    findings: tuple[Finding, ...]
    blurred: bool
    #: how many pictures (turns, contrasts, scales) were decoded
    tries: int
    #: processor seconds the reading took in the worker
    cpu_seconds: float = 0.0


def read_label(
    data: bytes,
    expected_carrier: str | None = None,
    max_pixels: int = MAX_IMAGE_PIXELS,
    read_print: bool = True,
) -> LabelScan:
    """Read the codes (and, failing them, the print) on the label in ``data``."""
    # Imported here, in the worker: the bot names this job and never loads the imaging code.
    from bot.scanning.label_pictures import (
        BLUR_THRESHOLD,
        decode,
        open_label,
        printed_lines,
        sharpness,
        variants,
    )

    started = time.process_time()
    picture = open_label(data, max_pixels)
    findings: dict[str, Finding] = {}
    tries = 0
    for variant in variants(picture):
        tries += 1
        decoded = list(decode(variant))
        for finding in decoded:
            findings.setdefault(finding.text, finding)
        if choose(list(findings.values()), expected_carrier).offer is not None:
            spent = time.process_time() - started
            return LabelScan(tuple(findings.values()), False, tries, spent)
        # The codes of one label share its tilt: a turn that decoded a linear code would have
        # decoded the label's others too, and turning further finds nothing new.
        if any(f.source is Source.BARCODE for f in decoded):
            break
    blurred = sharpness(picture) < BLUR_THRESHOLD
    if read_print and not blurred and not findings:
        for line in printed_lines(picture):
            findings.setdefault(line, Finding(line, Source.PRINT))
    found = tuple(findings.values())
    blurred = blurred and not found
    return LabelScan(found, blurred, tries, time.process_time() - started)
