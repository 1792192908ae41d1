"""Addresses typed one character at a time: "i v a n @ g m a i l . c o m", "w w w . s h o p . b g".

`collapse_spaced` builds a second searchable copy of a message in which every run of at least
five lone characters separated by spaces is closed up: a single space between two characters
goes, a wider gap (between words) becomes one space. The e-mail and link detectors search that
copy too; only what they find inside a closed-up run is believed, so the words around it are
judged exactly as before. (Digits spaced out this way are read by `digit_runs` already.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.masking.normalise import Normalised

#: Lone characters with spaces between, perhaps with a stop or a bracket glued on the ends.
_RUN = re.compile(r"(?<![^\s(\[\"'«])(?:\S {1,3}){4,}\S(?=[.,;:!?)\]\"'»]*(?:\s|$))")
_LETTER = re.compile(r"[^\W\d_]")


def collapse_spaced(norm: Normalised) -> tuple[Normalised, list[tuple[int, int]]] | None:
    """The copy with spaced-out runs closed up, and the runs' spans in it; None without runs."""
    runs = [match.span() for match in _RUN.finditer(norm.text) if _has_letters(match.group())]
    if not runs:
        return None
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    collapsed: list[tuple[int, int]] = []
    cursor = 0
    for run_start, run_end in runs:
        _copy(norm, cursor, run_start, chars, starts, ends)
        first = len(chars)
        for index in range(run_start, run_end):
            # One space parts letters; a wider gap parts words: "i v a n  a t  g m a i l".
            if norm.text[index] != " " or norm.text[index + 1] == " ":
                _copy(norm, index, index + 1, chars, starts, ends)
        collapsed.append((first, len(chars)))
        cursor = run_end
    _copy(norm, cursor, len(norm.text), chars, starts, ends)
    return Normalised(norm.original, "".join(chars), tuple(starts), tuple(ends)), collapsed


def _has_letters(run: str) -> bool:
    return len(_LETTER.findall(run)) >= 3


def _copy(
    norm: Normalised, first: int, last: int, chars: list[str], starts: list[int], ends: list[int]
) -> None:
    """Append [first, last) of the normalised text with where each character came from."""
    chars.append(norm.text[first:last])
    for index in range(first, last):
        start, end = norm.span(index, index + 1)
        starts.append(start)
        ends.append(end)


def inside(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any of `spans`."""
    return any(start < span_end and span_start < end for span_start, span_end in spans)
