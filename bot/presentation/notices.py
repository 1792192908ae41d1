"""The notices sync sends a seller: a sale, a status the marketplace set, a verified delivery,
a return request. Implements :class:`bot.sync.notices.SyncNotices`."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from bot.delivery.notify import Message, Recipient
from bot.domain.lifecycle import Status
from bot.presentation import away, keyboards, views
from bot.presentation.limits import clip
from bot.presentation.views import Reader
from bot.team.roles import Role
from storage.models import Order


class Notices:
    def sale(self, order: Order, to: Recipient, *, away_until: date | None = None) -> Message:
        reader = Reader.of(to)
        text = views.sale(order, reader)
        if away_until is not None:
            text = away.while_away(away_until, reader._) + "\n" + text
        return text, keyboards.sale(order.number, reader._, Status(order.status))

    def status_changed(self, order: Order, status: Status, to: Recipient) -> Message:
        _ = Reader.of(to)._
        if status is Status.CANCELLED:
            text = _("❌ The marketplace cancelled order {number}. Do not ship it.")
        else:
            text = _("🏪 The marketplace set order {number} to {status}.")
        return escape(text.format(number=order.number, status=status.value)), None

    def delivery_verified(
        self, order: Order, delivered_at: datetime, window_ends: datetime, to: Recipient
    ) -> Message:
        reader = Reader.of(to)
        text = reader._(
            "✅ The marketplace verified the delivery of order {number} on {delivered}. "
            "The 14-day return window ends on {ends}."
        ).format(
            number=order.number,
            delivered=reader.when(delivered_at),
            ends=reader.when(window_ends),
        )
        return escape(text), keyboards.open_order(order.number, reader._)

    def return_requested(self, order: Order, kind: str, reason: str, to: Recipient) -> Message:
        _ = Reader.of(to)._
        wanted = _("a refund") if kind == "refund" else _("an exchange")
        text = _(
            "↩️ The buyer of order {number} asks for {kind}: {reason}\n"
            "Settle it with REFUNDED (money returned or item exchanged), or write to the buyer."
        ).format(number=order.number, kind=wanted, reason=clip(reason, views.REASON))
        role = Role.parse(to.role)
        return escape(text), keyboards.order_actions(order.number, Status(order.status), _, role)
