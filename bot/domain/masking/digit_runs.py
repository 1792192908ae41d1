"""Runs of digits in a normalised message, however they are disguised.

A run is a sequence of digit groups separated only by spacing punctuation ("0888 123-456",
"088/812.34.56", "0 8 8 8 …") or by single letters ("0 8 8 8 x 1 2 3", "0888x123x456"). A group
is a token of digits in which letters that look like digits stand in for them ("O888 l23 45б"),
a number written out in words ("нула осем осем осем", "eighty eight"), or the digit tail of a
word glued to it ("тел0888123456"). Look-alike letters are read as digits only inside a token
that already holds a real digit, so words stay words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.masking.numbers_in_words import (
    CONNECTORS,
    WORDS,
    Rank,
    compose,
    split_digits_and_words,
    split_glued,
    word_value,
)

_TOKEN = re.compile(r"(?:[^\W_]|\|)+")
_LOOKALIKES = str.maketrans(
    {
        "o": "0",
        "о": "0",
        "ο": "0",
        "l": "1",
        "i": "1",
        "і": "1",
        "ı": "1",
        "|": "1",
        "з": "3",
        "ч": "4",
        "s": "5",
        "б": "6",
        "b": "8",
        "в": "8",
        "g": "9",
        "q": "9",
    }
)
#: Digits broken up by single letters: "0888x123x456" (also "30x40x15", which is too short).
_LETTER_BROKEN = re.compile(r"\d{2,}(?:[^\W\d_]\d+)+")
_BREAKING_LETTER = re.compile(r"[^\W\d_]")
_LETTERS_THEN_DIGITS = re.compile(r"([^\W\d_]+)(\d+)")
_DIGITS_THEN_LETTERS = re.compile(r"(\d+)([^\W\d_]+)")
#: Spelled-out separators an evader may put between digit groups.
_FILLERS = frozenset(
    {
        "тире",
        "dash",
        "hyphen",
        "интервал",
        "space",
        "точка",
        "dot",
        "slash",
        "черта",
        "наклонена",
        "после",
        "then",
        "и",
        "and",
    }
)
#: Letters standing alone for a zero: "o-8-8-8 …".
_LONE_ZEROS = frozenset({"o", "о", "ο"})
_PLUS_WORDS = frozenset({"плюс", "plus"})
#: A gap holding one of these ends a run: times, prices, order marks and sentence ends.
_BREAKERS = frozenset(":;@%€$£¥=&?!#№<>")
_MAX_GAP = 5
_MAX_PADDED_GAP = 16
_LIST_COMMA = re.compile(r"[,;]\s")


@dataclass(frozen=True, slots=True)
class Group:
    """Digits read from [start, end) of the normalised text.

    `plus` when a "+" leads them; `disguised` when they were written in words or look-alikes,
    which nobody does with an order or company number.
    """

    digits: str
    start: int
    end: int
    plus: bool = False
    disguised: bool = False


def _as_digits(token: str) -> str | None:
    if token.isdigit():
        return token
    converted = token.translate(_LOOKALIKES)
    if converted.isdigit() and any(char.isdigit() for char in token):
        return converted
    return None


def _joinable(gap: str) -> bool:
    """Whether the digits either side of `gap` may be one number: "0888 - 123", not "0888: 5"."""
    if "\n\n" in gap or any(char.isalnum() or char in _BREAKERS for char in gap):
        return False
    if len(gap) <= _MAX_GAP:
        return True
    # A long gap is padding, not content: "0888      123" (at most one mark among the spaces).
    return len(gap) <= _MAX_PADDED_GAP and len("".join(gap.split())) <= 1


class _RunBuilder:
    def __init__(self) -> None:
        self.runs: list[list[Group]] = []
        self.run: list[Group] = []
        self.words: list[tuple[Rank, int, int, int]] = []
        self.words_plus: int | None = None
        self.plus: int | None = None
        self.last_end = -1

    @property
    def ends_in_short_digits(self) -> bool:
        """Whether the last thing read was a group of one or two digits (not words)."""
        return (
            bool(self.run)
            and not self.words
            and self.run[-1].end == self.last_end
            and len(self.run[-1].digits) <= 2
        )

    @property
    def ends_in_digits(self) -> bool:
        """Whether the last thing read was a group of real digits (not words or look-alikes)."""
        return (
            bool(self.run)
            and not self.words
            and self.run[-1].end == self.last_end
            and not self.run[-1].disguised
        )

    def add_digits(self, digits: str, start: int, end: int, disguised: bool = False) -> None:
        self.close_words()
        self.last_end = end
        if self.plus is not None:
            start, self.plus = self.plus, None
            self.run.append(Group(digits, start, end, plus=True, disguised=disguised))
        else:
            self.run.append(Group(digits, start, end, disguised=disguised))

    def add_word(self, rank: Rank, value: int, start: int, end: int) -> None:
        if not self.words:
            self.words_plus, self.plus = self.plus, None
        self.words.append((rank, value, start, end))

    def set_plus(self, position: int) -> None:
        self.close_words()
        self.plus = position

    def close_words(self) -> None:
        if not self.words:
            return
        for index, (digits, start, end) in enumerate(compose(self.words)):
            if index == 0 and self.words_plus is not None:
                self.run.append(Group(digits, self.words_plus, end, plus=True, disguised=True))
            else:
                self.run.append(Group(digits, start, end, disguised=True))
        self.words.clear()
        self.words_plus = None

    def end_run(self) -> None:
        self.close_words()
        if self.run:
            self.runs.append(self.run)
            self.run = []
        self.plus = None


def digit_runs(text: str) -> list[list[Group]]:
    """Every run of digit groups in the normalised `text`, in order."""
    builder = _RunBuilder()
    previous_end = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        start, end = match.span()
        gap = text[previous_end:start]
        if previous_end and not _joinable(gap):
            builder.end_run()
        elif builder.ends_in_short_digits and _LIST_COMMA.search(gap):
            # "08, 10, 12, 14" is a list, while "0888, 123, 456" and "нула, осем, …" are not.
            builder.end_run()
        if gap.rstrip().endswith("+"):
            builder.set_plus(previous_end + gap.rindex("+"))
        previous_end = end
        _read_token(builder, token, start, end)
    builder.end_run()
    return builder.runs


def _read_token(builder: _RunBuilder, token: str, start: int, end: int) -> None:
    if "|" in token and _read_bar_separated(builder, token, start):
        return
    digits = _as_digits(token)
    if digits is not None:
        builder.add_digits(digits, start, end, disguised=digits != token)
        return
    if token.isalpha():
        number = word_value(token)
        if number is not None:
            builder.add_word(number[0], number[1], start, end)
            return
        words = split_glued(token)
        if words is not None:
            for rank, value, first, last in words:
                builder.add_word(rank, value, start + first, start + last)
            return
    if token in CONNECTORS and builder.words:
        return
    if token in _FILLERS and (builder.run or builder.words):
        return
    if len(token) == 1 and token.isalpha() and token not in _LONE_ZEROS and builder.ends_in_digits:
        # "0 8 8 8 x 1 2 3 x 4 5 6": a lone letter after real digits is a separator.
        return
    if token in _PLUS_WORDS:
        builder.end_run()
        builder.set_plus(start)
        return
    if token in _LONE_ZEROS:
        builder.add_digits("0", start, end, disguised=True)
        return
    pieces = split_digits_and_words(token) if not token.isalpha() else None
    if pieces is not None:
        for piece, first, last in pieces:
            if piece.isdigit():
                builder.add_digits(piece, start + first, start + last)
            else:
                rank, value = WORDS[piece]
                builder.add_word(rank, value, start + first, start + last)
        return
    if _LETTER_BROKEN.fullmatch(token):
        for piece in _BREAKING_LETTER.split(token):
            builder.add_digits(piece, start, start + len(piece))
            start += len(piece) + 1
        return
    glued = _LETTERS_THEN_DIGITS.fullmatch(token)
    if glued is not None:
        builder.end_run()
        builder.add_digits(glued.group(2), start + glued.start(2), end)
        return
    glued = _DIGITS_THEN_LETTERS.fullmatch(token)
    if glued is not None:
        builder.add_digits(glued.group(1), start, start + glued.end(1))
    builder.end_run()


def _read_bar_separated(builder: _RunBuilder, token: str, start: int) -> bool:
    """Read "0888|123|456" as three groups; a bar between single digits stays a "1"."""
    parts = token.split("|")
    if any(len(part) < 2 or _as_digits(part) is None for part in parts):
        return False
    for part in parts:
        digits = _as_digits(part) or ""
        builder.add_digits(digits, start, start + len(part), disguised=digits != part)
        start += len(part) + 1
    return True
