"""A contact detail split over consecutive messages of one side: "0888", then "123 456".

`mask_continuing` masks a new message as `mask_contacts` does, and also hides the part of it that
completes a contact begun in the same side's earlier messages: the earlier messages (oldest first;
as they were relayed, so already masked) and the new one are read as one text, one per line, and
whatever is found across the line into the new message is hidden there. A street address in a
message that does not itself speak of meeting is judged with the earlier messages around it
(after "до офис на Еконт" it is delivery talk; after "ела довечера", "на Шипка 7" is not).

What was sent before cannot be taken back, so a number given a few digits at a time is cut as soon
as it can be told apart: digits that carry on the beginning of a Bulgarian mobile number ("0888",
then "123") are hidden even before the number is complete, and so are digits sent right after a
message that was hidden whole (the next piece of the same number). The caller picks the earlier
messages: at most `EARLIER_MESSAGES`, none older than `EARLIER_WITHIN` before the new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from bot.domain.masking.addresses import speaks_of_meeting
from bot.domain.masking.context import Cue, Cues
from bot.domain.masking.digit_runs import Group, digit_runs
from bot.domain.masking.engine import mask_contacts
from bot.domain.masking.normalise import normalise
from bot.domain.masking.result import (
    DEFAULT_ALLOWED_DOMAINS,
    MASK,
    ContactKind,
    Finding,
    MaskResult,
    result_for,
)

EARLIER_MESSAGES = 3
EARLIER_WITHIN = timedelta(minutes=30)
#: The start of a Bulgarian mobile number, with its trunk "0" or its country code.
_MOBILE_START = re.compile(r"(?P<code>0|359|00359)(?:8[7-9]|9[89])")
#: How many digits a whole mobile number has, by how it begins.
_MOBILE_DIGITS = {"0": 10, "359": 12, "00359": 14}
#: How many digits the earlier messages must already hold for a fragment to continue them.
_SHORTEST_BEGINNING = 4
#: The most digits the rest of a number sent after a hidden piece of it can have.
_LONGEST_PIECE = 9
_FRAGMENT = re.compile(r"[\d\s().+/-]+")


def mask_continuing(
    text: str, earlier: Sequence[str], *, allowed_domains: Iterable[str] = DEFAULT_ALLOWED_DOMAINS
) -> MaskResult:
    """Mask `text`, also hiding what in it completes a contact begun in `earlier` messages."""
    allowed = tuple(allowed_domains)
    alone = mask_contacts(text, allowed_domains=allowed)
    earlier = [message for message in earlier[-EARLIER_MESSAGES:] if message.strip()]
    if not earlier or not any(char.isdigit() for char in text):
        return alone
    before = "\n".join(earlier) + "\n"
    joined = before + text
    offset = len(before)
    # A message that does not say itself why it gives an address has it judged with the earlier
    # messages ("До офис на Еконт", then "Варна, ул. Шипка 5" is delivery talk).
    by_context = not speaks_of_meeting(normalise(text).text)
    kept = [
        finding
        for finding in alone.findings
        if not (by_context and finding.kind is ContactKind.ADDRESS)
    ]
    carried = [
        _within_new(finding, text, offset)
        for finding in mask_contacts(joined, allowed_domains=allowed).findings
        if finding.end > offset
        and (finding.start < offset or (by_context and finding.kind is ContactKind.ADDRESS))
    ]
    carried += _continued_mobile(joined, text, offset) or _after_hidden_piece(earlier, text)
    if len(kept) == len(alone.findings) and not carried:
        return alone
    return result_for(text, [*kept, *carried])


def _within_new(finding: Finding, text: str, offset: int) -> Finding:
    """The part of a finding across the line that lies in the new message."""
    start, end = max(finding.start, offset) - offset, finding.end - offset
    while start < end and text[start].isspace():
        start += 1
    return Finding(finding.kind, start, end, text[start:end])


def _continued_mobile(joined: str, text: str, offset: int) -> list[Finding]:
    """The new message's digits when, alone, they carry on an unfinished mobile number."""
    if not _FRAGMENT.fullmatch(text.strip()):
        return []
    norm = normalise(joined)
    for run in digit_runs(norm.text):
        spans = [norm.span(group.start, group.end) for group in run]
        new = [span for span in spans if span[0] >= offset]
        earlier_groups = len(spans) - len(new)
        if not new or not earlier_groups:
            continue
        # The number may begin after other digits of the earlier messages ("поръчка 100234").
        for first in range(earlier_groups):
            if _begins_a_mobile(run[first:], earlier_groups - first) and not _not_a_phone(
                norm.text, run[first:]
            ):
                start, end = new[0][0] - offset, new[-1][1] - offset
                return [Finding(ContactKind.PHONE, start, end, text[start:end])]
    return []


def _after_hidden_piece(earlier: Sequence[str], text: str) -> list[Finding]:
    """Digits alone right after a message that was hidden whole: the rest of the same number."""
    stripped = text.strip()
    if earlier[-1].strip() != MASK or not _FRAGMENT.fullmatch(stripped):
        return []
    if not 2 <= sum(char.isdigit() for char in stripped) <= _LONGEST_PIECE:
        return []  # "2" after a hidden number is an answer, "100 200 300 400" a list
    start = text.index(stripped)
    return [Finding(ContactKind.PHONE, start, start + len(stripped), stripped)]


def _begins_a_mobile(run: list[Group], earlier_groups: int) -> bool:
    """Whether the run is the unfinished beginning of a mobile number, begun in earnest."""
    digits = "".join(group.digits for group in run)
    head = "".join(group.digits for group in run[:earlier_groups])
    start = _MOBILE_START.match(digits)
    if start is None or len(head) < _SHORTEST_BEGINNING:
        return False
    return len(digits) < _MOBILE_DIGITS[start["code"]]


def _not_a_phone(text: str, run: list[Group]) -> bool:
    """Whether a cue says the digits are something else ("товарителница 0888…")."""
    cue = Cues(text).around(run[0].start, run[-1].end)
    return cue in (Cue.NOT_PHONE, Cue.ORDER_TALK)
