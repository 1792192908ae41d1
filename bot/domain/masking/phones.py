"""Phone numbers: which digit runs of a message are someone's number.

Every run from `digit_runs` is scanned group by group for the longest stretch that `phonenumbers`
accepts. Only stretches shaped like a phone are ever parsed — a "+" or "00" in front, a Bulgarian
trunk "0", a bare "359", an "8" or "9" that may begin a mobile number missing its "0", or a cue
word such as "телефон" — so order numbers, waybills and prices never reach the parser and the
common case stays cheap. A national number ("0888 123 456", "02 981 2345") is a phone unless a
cue says it is a waybill or invoice number (after order talk only a mobile number is); so is a
mobile number without its "0" ("888123456") when no cue speaks for it at all; a number with a "+"
in front, or written in words or look-alike letters, is always a phone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers

from bot.domain.masking.context import Cue, Cues
from bot.domain.masking.digit_runs import Group, digit_runs

_REGION = "BG"
_MAX_DIGITS = 17  # "00" + a country code + the longest national number
_MOBILE = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def _parse(number: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None


def _parses(
    number: str, region: str | None, *, loosely: bool = False, mobile: bool = False
) -> bool:
    parsed = _parse(number, region)
    if parsed is None:
        return False
    if phonenumbers.is_valid_number(parsed):
        return not mobile or phonenumbers.number_type(parsed) in _MOBILE
    return loosely and phonenumbers.is_possible_number(parsed)


def _is_phone(digits: str, plus: bool, cue: Cue | None, *, bare: bool = False) -> bool:
    size = len(digits)
    if plus:
        # A "+" is what people type before a phone number and almost nothing else.
        return 7 <= size <= 15 and _parses("+" + digits, None, loosely=size >= 9)
    if cue is Cue.NOT_PHONE:
        return False
    mobile = cue is Cue.ORDER_TALK
    if digits.startswith("00"):
        return not mobile and 9 <= size <= _MAX_DIGITS and _parses("+" + digits[2:], None)
    if digits.startswith("0"):
        shortest = 8 if cue is Cue.PHONE else 9
        return shortest <= size <= 10 and _parses(digits, _REGION, mobile=mobile)
    if digits.startswith("359") and size in (11, 12):
        return _parses("+" + digits, None, mobile=mobile)
    if cue is Cue.PHONE:
        if size in (8, 9) and _parses("0" + digits, _REGION):
            return True
        return 10 <= size <= 15 and _parses("+" + digits, None)
    # "888123456": a Bulgarian mobile without its trunk "0", when nothing says otherwise.
    return bare and cue is None and size == 9 and _parses("0" + digits, _REGION, mobile=True)


def _may_start(run: list[Group], first: int, cue: Cue | None) -> bool:
    """Cheap test of whether a phone number could begin at `run[first]`."""
    head = run[first]
    if head.plus or head.digits[0] in "089" or head.disguised or cue is Cue.PHONE:
        return True
    prefix = "".join(group.digits for group in run[first : first + 3])
    return prefix.startswith("359")


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


#: What follows an amount or a quantity, or a file name's or domain's ending.
_AMOUNT = r"\s*(?:лв|лева|bgn|eur|евро|€|\$|бр|броя|кг|kg|гр|см|cm|мм|mm|%)(?!\w)"
_AMOUNT_AFTER = re.compile(_AMOUNT)
_AMOUNT_OR_NAME = re.compile(rf"{_AMOUNT}|\.?[^\W\d_]")


def _may_be_bare(text: str, start: int, end: int) -> bool:
    """Whether digits could be a mobile number written without its "0": not a list ("870, 880,
    890"), an amount ("987 654 321 лв."), or part of a name ("IMG_888123456.jpg")."""
    if "," in text[start:end] or (start and (text[start - 1] == "_" or text[start - 1].isalnum())):
        return False
    return _AMOUNT_OR_NAME.match(text, end) is None


def _phone_from(
    text: str, run: list[Group], first: int, cues: Cues, protected: Sequence[tuple[int, int]]
) -> int | None:
    """Index of the last group of the longest phone number starting at `run[first]`."""
    head = run[first]
    ends: list[tuple[int, str]] = []
    digits = ""
    for last in range(first, len(run)):
        digits += run[last].digits
        if len(digits) > _MAX_DIGITS:
            break
        if len(digits) >= 7:
            ends.append((last, digits))
    for last, candidate in reversed(ends):
        start, end = head.start, run[last].end
        if protected and _overlaps(start, end, protected):
            continue
        cue = None if head.plus else cues.around(start, end)
        if any(group.disguised for group in run[first : last + 1]):
            # Nobody spells out a waybill or order number or writes it with look-alike letters.
            cue = Cue.PHONE
        if _AMOUNT_AFTER.match(text, end):
            continue  # "3 x 33 лв": an amount, whatever digits come before it
        if _is_phone(candidate, head.plus, cue, bare=_may_be_bare(text, start, end)):
            return last
    return None


def find_phones(text: str, protected: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Spans of the normalised `text` holding a phone number."""
    runs = [run for run in digit_runs(text) if sum(len(group.digits) for group in run) >= 7]
    if not runs:
        return []
    cues = Cues(text)
    spans: list[tuple[int, int]] = []
    for run in runs:
        first = 0
        while first < len(run):
            head = run[first]
            last = None
            if _may_start(run, first, cues.around(head.start, run[-1].end)):
                last = _phone_from(text, run, first, cues, protected)
            if last is None:
                first += 1
                continue
            spans.append((_widen(text, head.start, run[last].end), run[last].end))
            first = last + 1
    return spans


def _widen(text: str, start: int, end: int) -> int:
    """Take in an opening parenthesis whose closing one the number already holds."""
    if start > 0 and text[start - 1] == "(" and ")" in text[start:end]:
        return start - 1
    return start
