"""What marketplace sync tells a seller, as a protocol: ``bot.presentation`` decides the looks.

The composition root passes :class:`bot.presentation.notices.Notices` in; sync code only says
which notice to send, to whom (:class:`~bot.delivery.notify.Recipient`) and about what.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from bot.delivery.notify import Message, Recipient
from bot.domain.lifecycle import Status
from storage.models import Order


class SyncNotices(Protocol):
    def sale(self, order: Order, to: Recipient, *, away_until: date | None = None) -> Message:
        """A buyer's payment is confirmed: a new order to ship (``away_until``: while the owner
        is away, back on that date)."""
        ...

    def status_changed(self, order: Order, status: Status, to: Recipient) -> Message:
        """The marketplace changed the order's status itself."""
        ...

    def delivery_verified(
        self, order: Order, delivered_at: datetime, window_ends: datetime, to: Recipient
    ) -> Message:
        """The marketplace verified the delivery; the return window runs until ``window_ends``."""
        ...

    def return_requested(self, order: Order, kind: str, reason: str, to: Recipient) -> Message:
        """The buyer asks for a refund or an exchange (``kind``)."""
        ...
