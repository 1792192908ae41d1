"""How well and how fast pictures and PDFs are covered, checked by a second OCR engine.

    .venv/bin/python -m bench.files [--seed 17] [--per-kind N] [--compare]

Every file of the corpus (``testkit.corpora.files``: 170 with contact details, 100 without) is
sent through the bot's own scanning pool and timed: ``--workers`` processes (by default as many
as the bot runs, ``SCAN_WORKERS``), each kept busy with the next file as soon as it is done.

- leaks: the share of contact files from whose covered output a *different* reader still gets a
  contact: Tesseract (``bot.scanning.tesseract``) reads the output, turned back by the angle the
  corpus turned it (what a person holding the photo would do), the text masker runs over what it
  read, and zxing-cpp decodes any code left; a contact in either is a leak. The same reader on
  the originals says how much it could see in the first place.
- false covers: the share of clean files with anything covered.
- seconds per photo (p50/p95) and per PDF page, wall time through the pool while every worker is
  busy; the largest worker's peak resident memory as the pool reports it, and the workers' peaks
  added up (what the machine holds for them at most; the bot process is apart from this).

``--compare`` also runs both engines as the primary reader over every picture, unturned, with
the masker over what each read: how many contact pictures each finds a contact in, how many
clean ones it would cover, and its time per picture.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import time
from dataclasses import dataclass

from PIL import Image

from bench.table import print_table
from bot.domain.masking import mask_contacts
from bot.scanning import tesseract
from bot.scanning.codes import read_codes
from bot.scanning.jobs import Scanned, scan_file
from bot.scanning.ocr import read_lines
from bot.scanning.pool import Limits, ScanPool
from bot.settings import Settings
from testkit.corpora.files import Sample, corpus


def _pictures(data: bytes, pdf: bool) -> list[Image.Image]:
    if not pdf:
        return [Image.open(io.BytesIO(data)).convert("RGB")]
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    return [page.render(scale=150 / 72).to_pil().convert("RGB") for page in document]


def second_reader_sees_contact(data: bytes, sample: Sample) -> bool:
    """Whether Tesseract or zxing-cpp still finds a contact in ``data``."""
    for picture in _pictures(data, sample.pdf):
        if any(code.contact for code in read_codes(picture)):
            return True
        upright = picture.rotate(-sample.angle, expand=True, fillcolor="white")
        if mask_contacts(tesseract.read_text(upright)).findings:
            return True
    return False


def timed_scan(data: bytes) -> tuple[Scanned, float]:
    """``scan_file`` and the CPU seconds it took in the worker (the machine may be shared)."""
    started = time.process_time()
    scanned = scan_file(data)
    return scanned, time.process_time() - started


@dataclass
class _Run:
    results: list[Scanned | Exception]
    wall: list[float]
    cpu: list[float]
    peak_rss: int = 0
    together_rss: int = 0


async def _scan_all(samples: list[Sample], workers: int) -> _Run:
    pool = ScanPool(workers=workers, limits=Limits(time_limit=120))
    count = len(samples)
    run = _Run([RuntimeError("not scanned")] * count, [0.0] * count, [0.0] * count)
    waiting = iter(range(count))

    async def lane() -> None:
        """One worker's share: the next file as soon as the last one is done."""
        for index in waiting:
            started = time.perf_counter()
            try:
                run.results[index], run.cpu[index] = await pool.run(timed_scan, samples[index].data)
            except Exception as exc:
                run.results[index] = exc
            run.wall[index] = time.perf_counter() - started

    try:
        # Every worker starts and loads its engine before anything is timed.
        await asyncio.gather(*(pool.run(scan_file, samples[0].data) for _ in range(workers)))
        await asyncio.gather(*(lane() for _ in range(workers)))
        run.together_rss = pool.workers_peak_rss_bytes()
    finally:
        await pool.close()
    run.peak_rss = pool.peak_rss_bytes
    return run


def _quantiles(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) < 2:
        return f"{values[0]:.2f} / {values[0]:.2f} s"
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return f"{statistics.median(values):.2f} / {cuts[18]:.2f} s"


def _compare(samples: list[Sample]) -> list[tuple[str, str]]:
    rows = []
    # Codes are not text: the QR flyers say nothing either reader could find.
    pictures = [s for s in samples if not s.pdf and s.kind != "qr"]
    readers = {
        "RapidOCR 3 (PP-OCRv6 small)": lambda im: "\n".join(line.text for line in read_lines(im)),
        "Tesseract 5 (eng)": lambda im: tesseract.read_text(im),
    }
    for name, read in readers.items():
        found, covered, seconds = 0, 0, []
        for sample in pictures:
            picture = Image.open(io.BytesIO(sample.data)).convert("RGB")
            started = time.perf_counter()
            hit = bool(mask_contacts(read(picture)).findings)
            seconds.append(time.perf_counter() - started)
            found += hit and sample.contact
            covered += hit and not sample.contact
        contact = sum(s.contact for s in pictures)
        rows.append((f"{name}: contact pictures found", f"{found / contact:.1%}"))
        rows.append(
            (f"{name}: clean pictures it would cover", f"{covered / (len(pictures) - contact):.1%}")
        )
        rows.append((f"{name}: p50 / p95 per picture", _quantiles(seconds)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--per-kind", type=int, default=None, help="at most N files of each kind")
    parser.add_argument("--compare", action="store_true", help="compare the two OCR engines")
    parser.add_argument(
        "--workers",
        type=int,
        default=Settings().scan_pool_size,
        help="worker processes scanning side by side (default: as the bot runs, SCAN_WORKERS)",
    )
    args = parser.parse_args()

    samples = corpus(args.seed, per_kind=args.per_kind)
    run = asyncio.run(_scan_all(samples, args.workers))
    leaks = seen = contact = false_covers = clean = refused = 0
    photo: dict[str, list[float]] = {"wall": [], "cpu": []}
    page: dict[str, list[float]] = {"wall": [], "cpu": []}
    for sample, result, wall, cpu in zip(samples, run.results, run.wall, run.cpu, strict=True):
        if isinstance(result, Exception):
            refused += 1
            continue
        if sample.pdf:
            page["wall"].append(wall / result.pages)
            page["cpu"].append(cpu / result.pages)
        else:
            photo["wall"].append(wall)
            photo["cpu"].append(cpu)
        if sample.contact:
            contact += 1
            leaks += second_reader_sees_contact(result.data, sample)
            seen += second_reader_sees_contact(sample.data, sample)
        else:
            clean += 1
            false_covers += bool(result.covered)
    rows = [
        ("files (contact / clean)", f"{contact} / {clean}"),
        ("refused", str(refused)),
        ("leaks (Tesseract + zxing-cpp read a contact)", f"{leaks / contact:.1%} ({leaks})"),
        ("  the same reader on the originals", f"{seen / contact:.1%} ({seen})"),
        ("false covers (clean files with a box)", f"{false_covers / clean:.1%} ({false_covers})"),
        ("p50 / p95 per photo, wall", _quantiles(photo["wall"])),
        ("p50 / p95 per photo, worker CPU", _quantiles(photo["cpu"])),
        ("p50 / p95 per PDF page, wall", _quantiles(page["wall"])),
        ("p50 / p95 per PDF page, worker CPU", _quantiles(page["cpu"])),
        ("workers scanning side by side", str(args.workers)),
        ("worker peak RSS (the largest one)", f"{run.peak_rss / 2**20:.0f} MiB"),
        ("  all workers together", f"{run.together_rss / 2**20:.0f} MiB"),
        ("Tesseract languages here", "+".join(tesseract.languages())),
    ]
    if args.compare:
        rows += _compare(samples)
    print_table(rows)


if __name__ == "__main__":
    main()
