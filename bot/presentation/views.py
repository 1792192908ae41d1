"""What the seller reads: sale notifications, order lists and the Order Status History.

Everything is HTML (``parse_mode="HTML"``) with the marketplace's values escaped. The buyer's
name and address appear only in :func:`shipping_address`, which the seller asks for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from bot.delivery.notify import Recipient
from bot.domain.lifecycle import Status
from bot.i18n import Gettext, translator
from bot.presentation import formatting
from bot.presentation.limits import clip
from storage.models import HistoryEntry, Order

SYNC_MARKS = {"pending": "⏳", "synced": "✅", "refused": "⛔", "remote": "🏪"}

# How much of each unbounded value a message shows (see limits.py): together they keep every
# message within Telegram's 4,096 characters, whatever the marketplace sends.
TITLE = 80
LABEL = 100
ALIAS = 64
REASON = 300
ADDRESS_FIELD = 200
ITEMS_SHOWN = 8
ORDERS_LISTED = 25


@dataclass(frozen=True, slots=True)
class Reader(Recipient):
    """A :class:`Recipient` with the tools to write for them: gettext, money, dates."""

    @classmethod
    def of(cls, recipient: Recipient) -> Reader:
        if isinstance(recipient, Reader):
            return recipient
        return cls(locale=recipient.locale, timezone=recipient.timezone)

    @property
    def _(self) -> Gettext:
        return translator(self.locale)

    def money(self, amount: str, currency: str) -> str:
        return formatting.money(amount, currency, self.locale)

    def when(self, moment: datetime) -> str:
        return formatting.when(moment, self.timezone, self.locale)


def items(order: Order, reader: Reader) -> list[str]:
    """The order's first items, each title clipped; how many more there are, if any."""
    lines = []
    for item in order.items[:ITEMS_SHOWN]:
        price = reader.money(item["unit_price"], order.currency)
        title = escape(clip(item["title"], TITLE))
        lines.append(f"• {title} × {item['quantity']} — {price}")
    if len(order.items) > ITEMS_SHOWN:
        more = reader._("…and {count} more items").format(count=len(order.items) - ITEMS_SHOWN)
        lines.append(escape(more))
    return lines


def delivery_line(order: Order, reader: Reader) -> str:
    option = clip(order.delivery["label"], LABEL)
    return escape(reader._("Delivery: {option}").format(option=option))


def sale(order: Order, reader: Reader) -> str:
    """The push a seller gets when a buyer's payment is confirmed."""
    _ = reader._
    lines = [
        "🛒 <b>" + escape(_("New sale: order {number}").format(number=order.number)) + "</b>",
        *items(order, reader),
        escape(_("Total: {total}").format(total=reader.money(order.total, order.currency))),
        delivery_line(order, reader),
    ]
    if order.ship_by is not None:
        lines.append(
            "⏰ " + escape(_("Ship by: {deadline}").format(deadline=reader.when(order.ship_by)))
        )
    lines.append(escape(_("Set PROCESSING when you start preparing it.")))
    return "\n".join(lines)


def status_line(order: Order, reader: Reader) -> str:
    return reader._("Status: {status}").format(status=order.status)


def deadlines(order: Order, reader: Reader) -> list[str]:
    _ = reader._
    lines = []
    if order.ship_by is not None and order.status in (Status.PROCESSED, Status.PROCESSING):
        lines.append("⏰ " + _("Ship by: {deadline}").format(deadline=reader.when(order.ship_by)))
    if order.deliver_by is not None and order.status == Status.SHIPPED:
        lines.append(
            "🚚 " + _("Deliver by: {deadline}").format(deadline=reader.when(order.deliver_by))
        )
    if order.delivered_at is not None:
        lines.append(_("Delivery verified: {when}").format(when=reader.when(order.delivered_at)))
    if order.return_window_ends_at is not None:
        lines.append(
            _("Return window ends: {when}").format(when=reader.when(order.return_window_ends_at))
        )
    return lines


def history_lines(
    history: Sequence[HistoryEntry],
    reader: Reader,
    actors: Mapping[int, str | None] | None = None,
    comment_limit: int | None = None,
) -> list[str]:
    """The entries, oldest first, each saying who made it when ``actors`` names the team's
    accounts; each comment cut to ``comment_limit`` when one is given."""
    _ = reader._
    if not history:
        return [escape(_("No changes yet."))]
    lines = []
    for entry in history:
        mark = SYNC_MARKS.get(entry.sync_state, "")
        head = f"{mark} {reader.when(entry.created_at)} — <b>{escape(entry.status)}</b>"
        if entry.resolution:
            kind = _("money returned") if entry.resolution == "refund" else _("item exchanged")
            head += f" ({escape(kind)})"
        if entry.actor_telegram_id is not None and actors is not None:
            name = actors.get(entry.actor_telegram_id) or _("a former teammate")
            head += " · " + escape(_("by {name}").format(name=name))
        lines.append(head)
        comment = entry.comment
        if comment and comment_limit is not None:
            comment = clip(comment, comment_limit) if comment_limit else ""
        if comment:
            lines.append("   " + escape(comment).replace("\n", "\n   "))
        if entry.sync_state == "pending":
            lines.append("   " + escape(_("waiting to reach the marketplace")))
        elif entry.sync_state == "refused":
            lines.append("   " + escape(_("refused by the marketplace")))
    return lines


def shipping_address(order: Order, reader: Reader) -> str:
    _ = reader._
    ship_to = order.ship_to
    if not ship_to:
        return escape(_("The marketplace has not given a shipping address for this order."))
    parts = [ship_to.get("name"), ship_to.get("line1"), ship_to.get("line2")]
    parts.append(f"{ship_to.get('postcode', '')} {ship_to.get('city', '')}".strip())
    parts.append(ship_to.get("country"))
    body = "\n".join(escape(clip(str(p), ADDRESS_FIELD)) for p in parts if p)
    title = escape(_("Shipping address for order {number}").format(number=order.number))
    return f"<b>{title}</b>\n{body}"


def order_list(orders: Sequence[Order], reader: Reader) -> str:
    _ = reader._
    if not orders:
        return escape(_("No open orders. New sales will appear here as they come."))
    lines = ["<b>" + escape(_("Open orders")) + "</b>"]
    for order in orders[:ORDERS_LISTED]:
        line = f"• <b>{escape(order.number)}</b> — {escape(order.status)}"
        line += f" — {reader.money(order.total, order.currency)}"
        if order.ship_by is not None and order.status in (Status.PROCESSED, Status.PROCESSING):
            line += " — " + escape(
                _("ship by {deadline}").format(deadline=reader.when(order.ship_by))
            )
        lines.append(line)
    if len(orders) > ORDERS_LISTED:
        more = _("…and {count} more open orders").format(count=len(orders) - ORDERS_LISTED)
        lines.append(escape(more))
    return "\n".join(lines)
