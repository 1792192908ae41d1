"""What masking hands back: the masked text and each contact detail found, with its place."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

MASK = "[•••]"
DEFAULT_ALLOWED_DOMAINS = ("chopni.bg", "chopni.com")


class ContactKind(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LINK = "link"
    HANDLE = "handle"
    BANK_ACCOUNT = "bank_account"
    PAYMENT = "payment"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class Finding:
    """A contact detail at [start, end) of the original text."""

    kind: ContactKind
    start: int
    end: int
    original: str


@dataclass(frozen=True, slots=True)
class MaskResult:
    text: str
    findings: tuple[Finding, ...]

    @property
    def changed(self) -> bool:
        return bool(self.findings)

    @property
    def kinds(self) -> frozenset[ContactKind]:
        return frozenset(finding.kind for finding in self.findings)


def result_for(text: str, findings: Iterable[Finding]) -> MaskResult:
    """`text` with every finding replaced by `MASK`, touching or overlapping ones by one."""
    kept = _outermost(findings)
    if not kept:
        return MaskResult(text, ())
    return MaskResult(_apply(text, kept), kept)


def _outermost(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Sort by position, dropping any finding that lies inside another."""
    ordered = sorted(findings, key=lambda finding: (finding.start, -finding.end))
    kept: list[Finding] = []
    for finding in ordered:
        if kept and finding.end <= kept[-1].end:
            continue
        kept.append(finding)
    return tuple(kept)


def _apply(text: str, findings: tuple[Finding, ...]) -> str:
    """Replace each run of touching or overlapping findings by one `MASK`."""
    pieces: list[str] = []
    cursor = 0
    reach = -1
    for finding in findings:
        if finding.start <= reach:
            reach = max(reach, finding.end)
            continue
        if reach >= 0:
            pieces.append(MASK)
            cursor = reach
        pieces.append(text[cursor : finding.start])
        reach = finding.end
    pieces.append(MASK)
    pieces.append(text[reach:])
    return "".join(pieces)
