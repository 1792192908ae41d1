"""The tables the benchmarks print: metric and value, or a column per run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def print_table(rows: Sequence[tuple[str, str]], *, rule: bool = False) -> None:
    """Print ``(metric, value)`` rows under a header, names padded to one width."""
    width = max(len(name) for name, _ in rows)
    print(f"{'metric':<{width}}  value")
    if rule:
        print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def print_columns(results: Mapping[str, Mapping[str, object]], *, column: int = 16) -> None:
    """Print one column per run (``results``: run name -> metric -> value), metrics down the
    side in the order the first run gives them; numbers with a thousands separator and one
    decimal, anything else as it is."""
    metrics = list(next(iter(results.values())))
    width = max(len(m) for m in metrics) + 2
    print(f"{'':<{width}}" + "".join(f"{name:>{column}}" for name in results))
    for metric in metrics:
        cells = (_cell(run[metric], column) for run in results.values())
        print(f"{metric:<{width}}" + "".join(cells))


def _cell(value: object, column: int) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:>{column},.1f}"
    return f"{value!s:>{column}}"
