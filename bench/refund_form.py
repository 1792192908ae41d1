"""How long the refund form takes to render, and how big the PDF is.

    .venv/bin/python -m bench.refund_form [--renders N]

The first render of the process is shown on its own: it imports fontTools' table modules and
reads the font files from disk for the first time. Every render parses the two fonts again,
since fpdf2 subsets a parsed font into its document in place and then closes it; the timed
renders show that cost with a warm disk cache. Each order is rendered `renders` times.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from io import BytesIO

from pypdf import PdfReader

from bench.percentiles import percentile
from bot.documents.refund_form import RefundFormData, RefundFormItem, render_refund_form


def _order(items: int) -> RefundFormData:
    lines = [RefundFormItem("Дамско яке Зима, размер M", 1, "JK-204-M")]
    lines += [
        RefundFormItem(f"Cotton T-shirt with a printed pattern, size {n % 5 + 36}", 2, f"TS-{n}")
        for n in range(items - 1)
    ]
    return RefundFormData(
        order_number="CH-1042",
        order_date=date(2025, 3, 12),
        items=lines,
        seller_name="Moda Sofia",
        buyer_alias="Buyer 7F3K",
        delivered_on=date(2025, 3, 15),
    )


def _timed(data: RefundFormData) -> tuple[float, bytes]:
    started = time.perf_counter_ns()
    pdf = render_refund_form(data)
    return (time.perf_counter_ns() - started) / 1e6, pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=50, help="timed renders per order")
    renders = parser.parse_args().renders
    first_ms, _ = _timed(_order(1))
    header = ("order", "pages", "PDF KiB", "first ms", "median ms", "p95 ms")
    rows = [header]
    for items in (1, 12, 40):
        samples = [_timed(_order(items))[0] for _ in range(renders)]
        pdf = render_refund_form(_order(items))
        rows.append(
            (
                f"{items} item{'s' if items > 1 else ''}",
                str(len(PdfReader(BytesIO(pdf)).pages)),
                f"{len(pdf) / 1024:.1f}",
                f"{first_ms:.0f}" if items == 1 else "",
                f"{statistics.median(samples):.0f}",
                f"{percentile(samples, 0.95):.0f}",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    for number, row in enumerate(rows):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))
    print(f"\nfirst ms: the first render in this process; median and p95 over {renders} renders")


if __name__ == "__main__":
    main()
