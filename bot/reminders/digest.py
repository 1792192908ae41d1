"""What a digest is made of, and the protocol that renders it (``bot.presentation.digest``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.delivery.notify import Recipient
from bot.domain.deadlines import OrderClock, StallReason

#: how many orders a digest lists; the rest are counted
MAX_LISTED = 10


@dataclass(slots=True)
class Stalled:
    """One seller's stalled orders: how many in all, and the listed ones, most urgent first."""

    total: int
    #: (position, number, clock, reasons), most urgent first
    orders: list[tuple[int, str, OrderClock, tuple[StallReason, ...]]] = field(default_factory=list)


class RenderDigest(Protocol):
    def __call__(
        self, stalled: Stalled, to: Recipient, now: datetime
    ) -> tuple[str, dict[str, Any]]:
        """The digest's HTML text and its inline keyboard as Bot API JSON."""
        ...
