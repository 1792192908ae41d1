"""The percentiles the benchmarks print: the sample at the nearest rank, never an average."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(samples: Sequence[float], share: float) -> float:
    """The sample at ``share`` of the way up the sorted ``samples`` (0.95: the p95)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
