"""The manual's order life cycle: which status may follow which, and what each change needs.

PROCESSED (set by the marketplace) -> PROCESSING -> SHIPPED -> COMPLETE, and REFUNDED to settle a
dispute. The marketplace may CANCEL an order before it ships. Nothing follows REFUNDED or
CANCELLED.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.StrEnum):
    PROCESSED = "PROCESSED"
    PROCESSING = "PROCESSING"
    SHIPPED = "SHIPPED"
    COMPLETE = "COMPLETE"
    REFUNDED = "REFUNDED"
    CANCELLED = "CANCELLED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


class Resolution(enum.StrEnum):
    """How a dispute was settled: money returned, or the item exchanged."""

    REFUND = "refund"
    EXCHANGE = "exchange"


FINAL_STATUSES = frozenset({Status.REFUNDED, Status.CANCELLED})

#: Statuses a seller may set, in the order the manual walks through them.
SELLER_STATUSES = (Status.PROCESSING, Status.SHIPPED, Status.COMPLETE, Status.REFUNDED)

_ALLOWED: dict[Status, frozenset[Status]] = {
    Status.PROCESSED: frozenset({Status.PROCESSING, Status.REFUNDED}),
    Status.PROCESSING: frozenset({Status.SHIPPED, Status.REFUNDED}),
    Status.SHIPPED: frozenset({Status.COMPLETE, Status.REFUNDED}),
    Status.COMPLETE: frozenset({Status.REFUNDED}),
    Status.REFUNDED: frozenset(),
    Status.CANCELLED: frozenset(),
}

MAX_COMMENT_LENGTH = 2000


class TransitionRefused(Exception):
    """A status change the life cycle does not allow. ``reason`` is a stable code for messages."""

    def __init__(self, reason: str, current: Status, target: Status) -> None:
        super().__init__(f"{reason}: {current} -> {target}")
        self.reason = reason
        self.current = current
        self.target = target


def allowed_next(current: Status) -> tuple[Status, ...]:
    """The statuses a seller may set from ``current``, in the manual's order."""
    return tuple(s for s in SELLER_STATUSES if s in _ALLOWED[current])


def check_transition(current: Status, target: Status) -> None:
    """Refuse a change the life cycle forbids, with the reason a seller should hear."""
    if target not in SELLER_STATUSES:
        raise TransitionRefused("not_settable", current, target)
    if current is target:
        raise TransitionRefused("already", current, target)
    if current.is_final:
        raise TransitionRefused("final", current, target)
    if target is Status.COMPLETE and current is not Status.SHIPPED:
        raise TransitionRefused("complete_before_shipped", current, target)
    if target is Status.SHIPPED and current is Status.PROCESSED:
        raise TransitionRefused("ship_before_processing", current, target)
    if target not in _ALLOWED[current]:
        raise TransitionRefused("backwards", current, target)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry the seller adds to the Order Status History."""

    status: Status
    comment: str | None = None
    tracking_number: str | None = None
    carrier: str | None = None
    resolution: Resolution | None = None

    def __post_init__(self) -> None:
        if self.status is Status.SHIPPED and not self.tracking_number:
            raise ValueError("SHIPPED needs a tracking number")
        if self.status is Status.REFUNDED and (self.resolution is None or not self.comment):
            raise ValueError("REFUNDED needs a resolution and a note")
        if len(self.history_comment() or "") > MAX_COMMENT_LENGTH:
            raise ValueError("comment too long")

    def history_comment(self) -> str | None:
        """The comment as the marketplace stores it: SHIPPED always names its tracking number."""
        if self.status is not Status.SHIPPED or self.tracking_number is None:
            return self.comment
        line = tracking_line(self.tracking_number, self.carrier)
        if self.comment and self.tracking_number in self.comment:
            return self.comment
        return f"{line}\n{self.comment}" if self.comment else line

    def comment_room(self) -> int:
        return comment_room(self.status, self.tracking_number, self.carrier)


def comment_room(status: Status, tracking_number: str | None, carrier: str | None) -> int:
    """How many characters the seller's own comment may have: the limit is on the final text,
    which for SHIPPED starts with the tracking line."""
    if status is not Status.SHIPPED or tracking_number is None:
        return MAX_COMMENT_LENGTH
    return MAX_COMMENT_LENGTH - len(tracking_line(tracking_number, carrier)) - 1


def tracking_line(tracking_number: str, carrier: str | None) -> str:
    """The line a SHIPPED history comment starts with."""
    return f"Tracking number: {tracking_number}" + (f" ({carrier})" if carrier else "")
