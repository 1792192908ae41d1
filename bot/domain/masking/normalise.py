"""A lower-cased, NFKC-normalised copy of a message that remembers where each character came from.

Detectors search the copy; `Normalised.span` maps a match back to the original text so the
original characters are the ones masked. Invisible characters (zero-width spaces, variation
selectors, the emoji keycap mark, stray combining marks) are dropped from the copy and absorbed
into the span of the character before them, so masking a keycap digit also removes its keycap.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space, joiners, direction marks
    (0x202A, 0x202E),  # bidirectional embeddings
    (0x2060, 0x2069),  # word joiner, invisible operators, isolates
    (0x20E3, 0x20E3),  # combining enclosing keycap
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # byte order mark
    (0xE0000, 0xE007F),  # tag characters
    (0xE0100, 0xE01EF),  # variation selectors supplement
)
_IGNORABLE_CLASS = "".join(
    f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}"
    for low, high in _IGNORABLE_RANGES
)
#: Letters that look the same in both alphabets, for words typed in a mix of the two.
LATIN_TO_CYRILLIC = str.maketrans("aceopxykmtbh", "асеорхукмтвн")
CYRILLIC_TO_LATIN = str.maketrans("асеорхукмтвн", "aceopxykmtbh")
#: Full stops of other scripts that NFKC leaves alone.
_DOTS = str.maketrans({"。": ".", "︒": ".", "﹒": "."})
_NEEDS_SLOW_PATH = re.compile(
    f"[{_IGNORABLE_CLASS}\\u0300-\\u036f\\u20d0-\\u20ff\u3002\ufe12\ufe52]"
)


def _is_ignorable(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


@dataclass(frozen=True, slots=True)
class Normalised:
    """The searchable copy of `original`; `starts`/`ends` are empty when positions coincide."""

    original: str
    text: str
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span [start, end) of the copy to the original text."""
        if not self.starts:
            return start, end
        return self.starts[start], self.ends[end - 1]


def normalise(text: str) -> Normalised:
    """Build the searchable copy of a message."""
    if text.isascii():
        return Normalised(text, text.lower())
    if unicodedata.is_normalized("NFKC", text) and not _NEEDS_SLOW_PATH.search(text):
        lowered = text.lower()
        if len(lowered) == len(text) and not _has_foreign_digits(text):
            return Normalised(text, lowered)
    return _normalise_slowly(text)


def _has_foreign_digits(text: str) -> bool:
    return any(char.isdigit() and not char.isascii() for char in text)


def _normalise_slowly(text: str) -> Normalised:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if _is_ignorable(char) or _is_mark(char):
            # A dropped character belongs to whatever precedes it.
            if ends:
                ends[-1] = index + 1
            index += 1
            continue
        cluster_end = index + 1
        while cluster_end < length and unicodedata.combining(text[cluster_end]):
            cluster_end += 1
        for piece in _fold(text[index:cluster_end]):
            chars.append(piece)
            starts.append(index)
            ends.append(cluster_end)
        index = cluster_end
    return Normalised(text, "".join(chars), tuple(starts), tuple(ends))


def _fold(cluster: str) -> str:
    """NFKC, lower-case, drop leftover marks and turn any decimal digit into an ASCII one."""
    if cluster.isascii():
        return cluster.lower()
    folded = []
    for char in unicodedata.normalize("NFKC", cluster).lower().translate(_DOTS):
        if _is_mark(char) or _is_ignorable(char):
            continue
        if not char.isascii():
            digit = unicodedata.digit(char, None)
            if digit is not None:
                char = str(digit)
        folded.append(char)
    return "".join(folded)
