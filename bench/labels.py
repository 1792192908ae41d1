"""How well and how fast the label reader finds the tracking number on a label photo.

    .venv/bin/python -m bench.labels [--count 72]

Runs the generated corpus (``testkit.corpora.labels``: Econt, Speedy, Bulgarian Posts S10, DHL
and UPS labels, tilted up to ±45°, in perspective, with glare, blur and JPEG loss; some with
several codes, some with no usable number) through the reader as the bot runs it: in the
scanning pool's worker process, then the choice of number for the buyer's carrier. The read
rate counts photos whose right number is the one offered; a wrong number is any offer that is
not the photo's number (also an offer on a photo that has none). Times are per photo: wall
seconds through the worker, and processor seconds inside it (the machine's other work does not
inflate those).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
import time

from bench.percentiles import percentile
from bench.table import print_table
from bot.domain.files import MAX_IMAGE_PIXELS
from bot.domain.labels import choose
from bot.scanning.labels import LabelScan, read_label
from bot.scanning.pool import Limits, ScanPool
from bot.shipping.labels import TIME_LIMIT
from testkit.corpora.labels import LabelPicture, label_pictures


async def _run(pictures: list[LabelPicture]) -> list[tuple[LabelPicture, LabelScan, float]]:
    worker = ScanPool(workers=1, limits=Limits(time_limit=TIME_LIMIT))
    results = []
    try:
        await worker.run(read_label, pictures[0].data, pictures[0].carrier, MAX_IMAGE_PIXELS)
        for picture in pictures:
            started = time.perf_counter()
            scan = await worker.run(read_label, picture.data, picture.carrier, MAX_IMAGE_PIXELS)
            results.append((picture, scan, time.perf_counter() - started))
    finally:
        await worker.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=72, help="photos in the corpus")
    args = parser.parse_args()
    pictures = label_pictures(args.count)
    results = asyncio.run(_run(pictures))

    right = wrong = silent = 0
    by_carrier: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for picture, scan, _seconds in results:
        offer = choose(scan.findings, picture.carrier).offer
        offered = offer.number if offer else None
        if picture.number is not None:
            by_carrier[picture.carrier][1] += 1
            if offered == picture.number:
                right += 1
                by_carrier[picture.carrier][0] += 1
        elif offered is None:
            silent += 1
        if offered is not None and offered != picture.number:
            wrong += 1
    with_number = sum(1 for p in pictures if p.number is not None)
    without = len(pictures) - with_number
    wall = [seconds for _p, _s, seconds in results]
    cpu = [scan.cpu_seconds for _p, scan, _w in results]
    rows = [
        ("photos", f"{len(pictures)} ({with_number} with a number, {without} without)"),
        ("read rate (right number first)", f"{right / with_number:.1%} ({right}/{with_number})"),
        ("wrong numbers offered", str(wrong)),
        ("no number, nothing offered", f"{silent}/{without}"),
        *(
            (f"  read rate, {carrier}", f"{ok}/{total}")
            for carrier, (ok, total) in sorted(by_carrier.items())
        ),
        ("p50 s per photo (wall, via worker)", f"{statistics.median(wall):.3f}"),
        ("p95 s per photo (wall, via worker)", f"{percentile(wall, 0.95):.3f}"),
        ("p50 s per photo (CPU in worker)", f"{statistics.median(cpu):.3f}"),
        ("p95 s per photo (CPU in worker)", f"{percentile(cpu, 0.95):.3f}"),
    ]
    print_table(rows, rule=True)


if __name__ == "__main__":
    main()
