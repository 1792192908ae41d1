"""Which language a person writes in, from their own words: for a buyer the bot speaks to.

The marketplace never says which language a buyer reads, but a buyer who writes in Cyrillic
reads Bulgarian, and one who writes in Latin letters reads English at least. The newest text
with letters decides; texts without letters (a number, an emoji, only a file) say nothing.

    written_language(["", "Здравейте, ето снимката"])  # "bg"
    written_language(["12345"])                          # None: the caller's default
"""

from __future__ import annotations

from collections.abc import Iterable

#: The languages :func:`written_language` tells apart, by their script.
CYRILLIC_LANGUAGE = "bg"
LATIN_LANGUAGE = "en"


def written_language(texts: Iterable[str]) -> str | None:
    """The language of the first text (newest first) that has letters, or None."""
    for text in texts:
        cyrillic = latin = 0
        for char in text:
            if not char.isalpha():
                continue
            if "\u0400" <= char <= "\u04ff":
                cyrillic += 1
            elif char.isascii():
                latin += 1
        if cyrillic or latin:
            return CYRILLIC_LANGUAGE if cyrillic >= latin else LATIN_LANGUAGE
    return None
