"""Bank accounts: IBANs, written in one piece or in spaced groups, checked by their check digits.

A candidate starts with a country code and two check digits ("BG80", "de89") and takes exactly as
many letters and digits as that country's IBAN has, single spaces or dashes between them allowed.
It counts only when nothing glued follows it and the ISO 7064 mod-97 check holds, so codes that
merely look like an IBAN ("BG80BNBG96611020345679" with one digit wrong, a product code) are
left alone.
"""

from __future__ import annotations

import re

#: The length of each country's IBAN (the SWIFT IBAN registry), by its two-letter code.
_LENGTHS = {
    "ad": 24, "ae": 23, "al": 28, "at": 20, "az": 28, "ba": 20, "be": 16, "bg": 22, "bh": 22,
    "br": 29, "by": 28, "ch": 21, "cr": 22, "cy": 28, "cz": 24, "de": 22, "dk": 18, "do": 28,
    "ee": 20, "eg": 29, "es": 24, "fi": 18, "fo": 18, "fr": 27, "gb": 22, "ge": 22, "gi": 23,
    "gl": 18, "gr": 27, "gt": 28, "hr": 21, "hu": 28, "ie": 22, "il": 23, "iq": 23, "is": 26,
    "it": 27, "jo": 30, "kw": 30, "kz": 20, "lb": 28, "lc": 32, "li": 21, "lt": 20, "lu": 20,
    "lv": 21, "mc": 27, "md": 24, "me": 22, "mk": 19, "mr": 27, "mt": 31, "mu": 30, "nl": 18,
    "no": 15, "pk": 24, "pl": 28, "ps": 29, "pt": 25, "qa": 29, "ro": 24, "rs": 22, "sa": 24,
    "sc": 31, "se": 24, "si": 19, "sk": 24, "sm": 27, "st": 25, "sv": 28, "tl": 23, "tn": 24,
    "tr": 26, "ua": 29, "va": 22, "vg": 24, "xk": 20,
}  # fmt: skip
_START = re.compile(r"(?<![a-z0-9])(?P<country>[a-z]{2})\s?\d\d")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_SEPARATORS = frozenset(" -")


def _checks_out(compact: str) -> bool:
    """ISO 7064 mod 97-10: the rearranged number, letters as 10…35, leaves 1."""
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _end_of(text: str, start: int, length: int) -> int | None:
    """Where the `length` characters of an IBAN written from `start` end, if they all are there."""
    taken = 0
    index = start
    while index < len(text) and taken < length:
        char = text[index]
        if char in _ALNUM:
            taken += 1
            index += 1
        elif char in _SEPARATORS and index + 1 < len(text) and text[index + 1] in _ALNUM:
            if index > start and text[index - 1] in _SEPARATORS:
                return None
            index += 1
        else:
            return None
    if taken < length or (index < len(text) and text[index] in _ALNUM):
        return None
    return index


def find_ibans(text: str) -> list[tuple[int, int]]:
    """Spans of the normalised `text` holding a valid IBAN."""
    spans: list[tuple[int, int]] = []
    for match in _START.finditer(text):
        if spans and match.start() < spans[-1][1]:
            continue
        length = _LENGTHS.get(match["country"])
        if length is None:
            continue
        end = _end_of(text, match.start(), length)
        if end is None:
            continue
        compact = "".join(char for char in text[match.start() : end] if char in _ALNUM)
        if _checks_out(compact):
            spans.append((match.start(), end))
    return spans
