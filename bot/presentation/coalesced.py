"""Several waiting sale notifications for one chat, as the one message the seller gets.

The Telegram outbox hands over what each waiting sale said (number, total, ship-by, whether the
owner was away, and the reader's language and time zone); this module lists them in one
message, with a PROCESSING button per order up to :data:`MAX_BUTTONS` and, past that, a button
that lists every new order. What does not fit into Telegram's 4,096 characters stays queued for
the next message: every sale is listed once, none is left out. Buyer messages about one order
are put together by :func:`bot.presentation.relayed.combine_messages`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.notify import SALE_NOTICE, sale_summary
from bot.domain.lifecycle import Status
from bot.i18n import Gettext
from bot.presentation import away
from bot.presentation.callback_data import Action, OrderCallback, new_orders_data
from bot.presentation.relayed import combine_messages
from bot.presentation.views import Reader
from bot.relay.incoming import BUYER_MESSAGES

#: Telegram's limit on a message's text
MAX_TEXT = 4096
#: PROCESSING buttons under one message; the rest are reached through the list of new orders
MAX_BUTTONS = 10


def _line(item: Mapping[str, Any], reader: Reader) -> str:
    _ = reader._
    total = reader.money(item["total"], item["currency"])
    if item.get("ship_by"):
        deadline = reader.when(datetime.fromisoformat(item["ship_by"]))
        text = _("Order {number} — {total} — ship by {deadline}").format(
            number=item["number"], total=total, deadline=deadline
        )
    else:
        text = _("Order {number} — {total}").format(number=item["number"], total=total)
    return "• " + escape(text)


def _header(count: int, _: Gettext) -> str:
    return "🛒 <b>" + escape(_("{count} new sales").format(count=count)) + "</b>"


def _top(items: Sequence[Mapping[str, Any]], _: Gettext) -> list[str]:
    """The away-mode line a single sale notification opens with, when any of these sales was
    queued while the owner was away (back on the latest date they gave)."""
    dates = [date.fromisoformat(item["away_until"]) for item in items if item.get("away_until")]
    return [away.while_away(max(dates), _)] if dates else []


def sales_text(items: Sequence[Mapping[str, Any]], reader: Reader) -> tuple[str, int]:
    """The list of as many sales as fit into one message, and how many that is (at least 1)."""
    _ = reader._
    footer = escape(_("Set PROCESSING on each order when you start preparing it."))
    lines = [_line(item, reader) for item in items]
    held = len(lines)
    while held > 1:
        text = "\n".join([*_top(items[:held], _), _header(held, _), *lines[:held], footer])
        if len(text) <= MAX_TEXT:
            return text, held
        held -= 1
    return "\n".join([*_top(items[:1], _), _header(1, _), lines[0], footer])[:MAX_TEXT], 1


def sales_keyboard(numbers: Sequence[str], _: Gettext) -> InlineKeyboardMarkup:
    """A PROCESSING button per order, two a row, up to MAX_BUTTONS; then all new orders."""
    buttons = [
        InlineKeyboardButton(
            f"{Status.PROCESSING.value} {number}",
            callback_data=OrderCallback(Action.PROCESSING, number).encode(),
        )
        for number in numbers[:MAX_BUTTONS]
    ]
    rows = [buttons[n : n + 2] for n in range(0, len(buttons), 2)]
    if len(numbers) > MAX_BUTTONS:
        rows.append(
            [
                InlineKeyboardButton(
                    _("All new orders ({count} more here)").format(
                        count=len(numbers) - MAX_BUTTONS
                    ),
                    callback_data=new_orders_data(),
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def combine(
    kind: str, chat_id: int, items: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], int]:
    """The outbox's ``combine``: one message for the waiting sales (or buyer messages about one
    order) it can hold, and how many."""
    if kind.startswith(BUYER_MESSAGES) and items:
        return combine_messages(chat_id, items)
    if kind != SALE_NOTICE or not items:
        return {}, 1
    reader = Reader(locale=items[0]["locale"], timezone=items[0]["timezone"])
    text, held = sales_text(items, reader)
    markup = sales_keyboard([item["number"] for item in items[:held]], reader._)
    params = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "reply_markup": markup.to_dict(),
    }
    if all(item.get("silent") for item in items[:held]):
        params["disable_notification"] = True  # the seller's quiet hours
    return params, held


def new_orders(orders: Sequence[Any], reader: Reader) -> tuple[str, InlineKeyboardMarkup]:
    """The list behind "All new orders": every sale not started yet, with its buttons."""
    _ = reader._
    if not orders:
        return escape(_("No new orders: every sale is being prepared.")), InlineKeyboardMarkup([])
    items = [
        sale_summary(order.number, order.total, order.currency, order.ship_by) for order in orders
    ]
    text, held = sales_text(items, reader)
    buttons = [
        InlineKeyboardButton(
            f"{Status.PROCESSING.value} {item['number']}",
            callback_data=OrderCallback(Action.PROCESSING, item["number"]).encode(),
        )
        for item in items[:held]
    ]
    return text, InlineKeyboardMarkup([buttons[n : n + 2] for n in range(0, len(buttons), 2)])
