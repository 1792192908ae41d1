"""The board API's JSON answers for one order (the list's rows answer for themselves)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.board.queries import Line
from bot.domain.lifecycle import Status
from storage.models import HistoryEntry, Order


def order_answer(
    order: Order, history: Sequence[HistoryEntry], lines: Sequence[Line], allowed: Sequence[Status]
) -> dict[str, Any]:
    """Items, delivery, deadlines, the actions allowed now, history and the conversation."""
    return {
        "number": order.number,
        "status": order.status,
        "items": order.items,
        "total": order.total,
        "currency": order.currency,
        "delivery": order.delivery,
        "buyer": order.buyer_alias,
        "placed_at": order.placed_at.isoformat(),
        "ship_by": order.ship_by.isoformat() if order.ship_by else None,
        "deliver_by": order.deliver_by.isoformat() if order.deliver_by else None,
        "tracking_number": order.tracking_number,
        "allowed": [s.value for s in allowed],
        "history": [
            {
                "status": e.status,
                "comment": e.comment,
                "at": e.created_at.isoformat(),
                "sync": e.sync_state,
            }
            for e in history
        ],
        "conversation": [
            {"author": m.author, "text": m.text, "at": m.at.isoformat(), "files": m.attachments}
            for m in lines
        ],
    }
