"""The order card (``/order N``, Details): the order's details and one page of its history.

A card always fits in one Telegram message. Comments are shortened in the card (the marketplace
keeps them whole), and the Order Status History is shown a page at a time, the newest page
first, with buttons to the earlier and later pages (see :func:`keyboards.history_pages`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from bot.presentation import views
from bot.presentation.limits import MESSAGE_TEXT, clip, visible_length
from bot.presentation.views import ALIAS, REASON, Reader
from storage.models import HistoryEntry, Order

#: history entries on one page of the card
HISTORY_PAGE = 5
#: how much of each comment the card shows; shorter ones are tried if a page would not fit
COMMENT_CLIPS = (200, 80, 0)


@dataclass(frozen=True, slots=True)
class CardPage:
    text: str
    #: this page, counted from 0 (the oldest entries), and how many there are
    page: int
    pages: int


def pages_of(history: Sequence[HistoryEntry]) -> int:
    return max(1, -(-len(history) // HISTORY_PAGE))


def card(
    order: Order,
    history: Sequence[HistoryEntry],
    reader: Reader,
    page: int | None = None,
    actors: Mapping[int, str | None] | None = None,
) -> CardPage:
    """The card with history page ``page`` (the newest when None or out of range); ``actors``
    names the team's accounts by Telegram id, so each change says who made it."""
    pages = pages_of(history)
    if page is None or not 0 <= page < pages:
        page = pages - 1
    entries = history[page * HISTORY_PAGE : (page + 1) * HISTORY_PAGE]
    head = _details(order, reader)
    _ = reader._
    title = _("Order Status History")
    if pages > 1:
        title = _("Order Status History, page {page} of {pages}").format(page=page + 1, pages=pages)
    for comment_clip in COMMENT_CLIPS:
        lines = [*head, "", "<b>" + escape(title) + "</b>"]
        lines.extend(views.history_lines(entries, reader, actors or {}, comment_limit=comment_clip))
        text = "\n".join(lines)
        if visible_length(text) <= MESSAGE_TEXT:
            break
    return CardPage(text, page, pages)


def _details(order: Order, reader: Reader) -> list[str]:
    _ = reader._
    lines = [
        "📦 <b>" + escape(_("Order {number}").format(number=order.number)) + "</b>",
        escape(views.status_line(order, reader)),
        escape(_("Buyer: {alias}").format(alias=clip(order.buyer_alias, ALIAS))),
        escape(_("Placed: {when}").format(when=reader.when(order.placed_at))),
        *views.items(order, reader),
        escape(_("Total: {total}").format(total=reader.money(order.total, order.currency))),
        views.delivery_line(order, reader),
    ]
    lines.extend(escape(line) for line in views.deadlines(order, reader))
    if order.tracking_number:
        lines.append(escape(_("Tracking number: {number}").format(number=order.tracking_number)))
    if order.return_requested_at and not order.return_answered_at:
        lines.append(
            "↩️ "
            + escape(
                _("Return requested ({kind}): {reason}").format(
                    kind=_("refund") if order.return_kind == "refund" else _("exchange"),
                    reason=clip(order.return_reason or "", REASON),
                )
            )
        )
    return lines
