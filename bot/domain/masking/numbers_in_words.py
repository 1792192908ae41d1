"""Numbers written out in Bulgarian, transliterated Bulgarian and English words.

`word_value` classifies one lower-cased word; `compose` turns a sequence of classified words into
digit groups, so "осемдесет и осем" reads as "88", "сто двайсет и три" as "123" and
"double eight" as "88". Words in a mix of Latin and Cyrillic letters are read through their
look-alikes ("oсем" with a Latin o is still "осем").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from bot.domain.masking.normalise import CYRILLIC_TO_LATIN, LATIN_TO_CYRILLIC


class Rank(enum.Enum):
    UNIT = 1  # 0-9
    TEEN = 2  # 10-19
    TENS = 3  # 20, 30 … 90
    HUNDREDS = 4  # 100, 200 … 900
    HUNDRED = 5  # English "hundred": multiplies the unit before it
    REPEAT = 6  # "double", "triple": repeats the unit after it


_UNITS = {
    0: "нула нулата nula zero oh nought",
    1: "едно един една один единица edno edin edna one",
    2: "две два двойка dve dva two",
    3: "три тройка tri three",
    4: "четири четворка chetiri four",
    5: "пет петица pet five",
    6: "шест шестица shest six",
    7: "седем седмица sedem seven",
    8: "осем осмица osem eight",
    9: "девет деветка devet nine",
}
_TEENS = {
    10: "десет deset ten",
    11: "единайсет единадесет edinaiset eleven",
    12: "дванайсет дванадесет dvanaiset twelve",
    13: "тринайсет тринадесет trinaiset thirteen",
    14: "четиринайсет четиринадесет chetirinaiset fourteen",
    15: "петнайсет петнадесет petnaiset fifteen",
    16: "шестнайсет шестнадесет shestnaiset sixteen",
    17: "седемнайсет седемнадесет sedemnaiset seventeen",
    18: "осемнайсет осемнадесет osemnaiset eighteen",
    19: "деветнайсет деветнадесет devetnaiset nineteen",
}
_TENS = {
    20: "двайсет двадесет dvaiset twenty",
    30: "трийсет тридесет triiset thirty",
    40: "четирийсет четиридесет chetiriiset forty fourty",
    50: "петдесет petdeset fifty",
    60: "шейсет шестдесет sheiset sixty",
    70: "седемдесет sedemdeset seventy",
    80: "осемдесет osemdeset eighty",
    90: "деветдесет devetdeset ninety",
}
_HUNDREDS = {
    100: "сто sto",
    200: "двеста dvesta",
    300: "триста trista",
    400: "четиристотин chetiristotin",
    500: "петстотин petstotin",
    600: "шестстотин sheststotin",
    700: "седемстотин sedemstotin",
    800: "осемстотин osemstotin",
    900: "деветстотин devetstotin",
}

WORDS: dict[str, tuple[Rank, int]] = {}
for _rank, _table in (
    (Rank.UNIT, _UNITS),
    (Rank.TEEN, _TEENS),
    (Rank.TENS, _TENS),
    (Rank.HUNDREDS, _HUNDREDS),
):
    for _value, _spellings in _table.items():
        for _word in _spellings.split():
            WORDS[_word] = (_rank, _value)
WORDS["hundred"] = (Rank.HUNDRED, 100)
for _word, _times in (("double", 2), ("triple", 3), ("двойно", 2), ("тройно", 3)):
    WORDS[_word] = (Rank.REPEAT, _times)

#: Words that join parts of one number: "двайсет и три", "one hundred and five".
CONNECTORS = frozenset({"и", "and", "i"})

_ANY_WORD = "|".join(sorted(WORDS, key=len, reverse=True))
_GLUED = re.compile(rf"(?:{_ANY_WORD}){{2,}}")
_ONE_WORD = re.compile(_ANY_WORD)
_DIGITS_AND_WORDS = re.compile(rf"(?:\d+|{_ANY_WORD})+")
_DIGITS_OR_WORD = re.compile(rf"\d+|{_ANY_WORD}")
_BEGINNINGS = frozenset(word[:3] for word in WORDS)
_SHORTEST_GLUED = 6


def word_value(word: str) -> tuple[Rank, int] | None:
    """Classify a lower-cased word as part of a number, or None."""
    found = WORDS.get(word)
    if found is None and not word.isascii():
        found = WORDS.get(word.translate(LATIN_TO_CYRILLIC)) or WORDS.get(
            word.translate(CYRILLIC_TO_LATIN)
        )
    return found


def split_glued(token: str) -> list[tuple[Rank, int, int, int]] | None:
    """Read "нулаосемосем" as (rank, value, start, end) words, or None if it is not made of them."""
    if len(token) < _SHORTEST_GLUED or token[:3] not in _BEGINNINGS:
        return None
    if _GLUED.fullmatch(token) is None:
        return None
    words = []
    position = 0
    for match in _ONE_WORD.finditer(token):
        if match.start() != position:
            return None
        rank, value = WORDS[match.group()]
        words.append((rank, value, match.start(), match.end()))
        position = match.end()
    return words if position == len(token) else None


def split_digits_and_words(token: str) -> list[tuple[str, int, int]] | None:
    """Split "8one" or "88осем" into ("8", …), ("one", …) pieces, or None."""
    if _DIGITS_AND_WORDS.fullmatch(token) is None:
        return None
    pieces = []
    position = 0
    for match in _DIGITS_OR_WORD.finditer(token):
        if match.start() != position:
            return None
        pieces.append((match.group(), match.start(), match.end()))
        position = match.end()
    return pieces if position == len(token) else None


@dataclass(slots=True)
class _Compound:
    value: int
    start: int
    end: int
    takes_tens: bool
    takes_unit: bool


def compose(words: list[tuple[Rank, int, int, int]]) -> list[tuple[str, int, int]]:
    """Turn (rank, value, start, end) words into (digits, start, end) groups."""
    groups: list[tuple[str, int, int]] = []
    current: _Compound | None = None
    repeat = 1

    def flush() -> None:
        nonlocal current
        if current is not None:
            groups.append((str(current.value), current.start, current.end))
            current = None

    for rank, value, start, end in words:
        if rank is Rank.REPEAT:
            flush()
            repeat = value
            continue
        if rank is Rank.UNIT and repeat > 1:
            flush()
            groups.append((str(value) * repeat, start, end))
            repeat = 1
            continue
        repeat = 1
        if rank is Rank.HUNDRED:
            if current is not None and current.value < 10 and not current.takes_unit:
                current.value *= 100
                current.end = end
                current.takes_tens = current.takes_unit = True
            else:
                flush()
                current = _Compound(100, start, end, True, True)
        elif rank is Rank.HUNDREDS:
            flush()
            current = _Compound(value, start, end, True, True)
        elif rank is Rank.TENS:
            if current is not None and current.takes_tens:
                current.value += value
                current.end = end
                current.takes_tens = False
            else:
                flush()
                current = _Compound(value, start, end, False, True)
        elif rank is Rank.TEEN:
            if current is not None and current.takes_tens:
                current.value += value
                current.end = end
                flush()
            else:
                flush()
                groups.append((str(value), start, end))
        elif current is not None and current.takes_unit:
            current.value += value
            current.end = end
            flush()
        else:
            flush()
            current = _Compound(value, start, end, False, False)
    flush()
    return groups
