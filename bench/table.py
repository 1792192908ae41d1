"""The two-column table every benchmark prints."""

from __future__ import annotations

from collections.abc import Sequence


def print_table(rows: Sequence[tuple[str, str]], *, rule: bool = False) -> None:
    """Print ``(metric, value)`` rows under a header, names padded to one width."""
    width = max(len(name) for name, _ in rows)
    print(f"{'metric':<{width}}  value")
    if rule:
        print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
