"""How the board looks: server-rendered HTML fragments in the seller's language.

The page (:mod:`bot.board.page`) fetches these with the ``tma`` header and puts them in place;
every value from the marketplace or the seller is escaped. Links carry ``data-view`` (open
another fragment); forms carry ``data-search`` or ``data-status`` (see ``static/board.js``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from html import escape
from urllib.parse import quote

from bot.board.queries import BoardRow, Line
from bot.domain.board import NEED_ORDER, Need
from bot.domain.lifecycle import Status
from bot.i18n import Gettext
from bot.presentation.views import SYNC_MARKS, Reader, deadlines
from storage.models import HistoryEntry, Order


def need_titles(_: Gettext) -> dict[str, str]:
    return {
        Need.LATE: _("Late"),
        "buyer": _("A buyer wrote"),
        Need.SHIP_TODAY: _("Ship today"),
        Need.PREPARE: _("To prepare"),
        Need.IN_TRANSIT: _("On the way"),
        Need.DELIVERY_CHECK: _("Waiting for the marketplace's delivery check"),
    }


def nav(reader: Reader, current: str) -> str:
    """The tab bar at the bottom of the screen, within a thumb's reach."""
    _ = reader._
    tabs = (
        ("board", "view/board", _("Orders")),
        ("performance", "view/performance", _("Performance")),
    )
    here = ' aria-current="page"'
    links = "".join(
        f'<a data-view href="{href}"{here if key == current else ""}>{escape(label)}</a>'
        for key, href, label in tabs
    )
    return f'<nav class="tabs">{links}</nav>'


def _row(row: BoardRow, reader: Reader) -> str:
    _ = reader._
    when = ""
    if row.ship_by is not None and row.status in (Status.PROCESSED, Status.PROCESSING):
        when = _("ship by {deadline}").format(deadline=reader.when(row.ship_by))
    elif row.deliver_by is not None and row.status is Status.SHIPPED:
        when = _("deliver by {deadline}").format(deadline=reader.when(row.deliver_by))
    badge = ' <span class="badge">💬</span>' if row.buyer_waiting else ""
    return (
        f'<li><a class="order" data-view href="view/orders/{quote(row.number)}"'
        f' data-number="{escape(row.number)}">'
        f'<span><span class="num">{escape(row.number)}</span>{badge}</span>'
        f'<span class="status">{escape(row.status.value)}</span>'
        f'<span class="meta">{escape(row.buyer_alias)} · '
        f"{escape(reader.money(row.total, row.currency))}</span>"
        f'<span class="when">{escape(when)}</span></a></li>'
    )


def board(rows: Sequence[BoardRow], reader: Reader, q: str | None) -> str:
    """Open orders grouped by what they need, under a search box."""
    _ = reader._
    t_search_hint = escape(_("Order number or buyer"))
    t_search = escape(_("Search"))
    titles = need_titles(_)
    groups: list[tuple[str, list[BoardRow]]] = [
        ("buyer", [r for r in rows if r.buyer_waiting]),
        *((need.value, [r for r in rows if r.need is need]) for need in NEED_ORDER),
    ]
    # "a buyer wrote" comes right after the late orders
    groups.insert(1, groups.pop(0))
    parts = [
        '<form class="search" data-search role="search">'
        f'<input name="q" type="search" value="{escape(q or "")}"'
        f' placeholder="{t_search_hint}"'
        f' aria-label="{t_search}">'
        f'<button type="submit">{t_search}</button></form>'
    ]
    if not rows:
        empty = _("No order matches {query}.").format(query=q) if q else _("No open orders.")
        parts.append(f'<p class="empty">{escape(empty)}</p>')
    for key, members in groups:
        if not members:
            continue
        parts.append(
            f'<section class="group" data-group="{key}"><h2>{escape(titles[key])}'
            f' <span class="count">{len(members)}</span></h2><ul>'
            + "".join(_row(r, reader) for r in members)
            + "</ul></section>"
        )
    parts.append(nav(reader, "board"))
    return "".join(parts)


def _history(history: Sequence[HistoryEntry], reader: Reader) -> str:
    _ = reader._
    t_no_changes_yet = escape(_("No changes yet."))
    t_pending = escape(_("waiting to reach the marketplace"))
    t_refused = escape(_("refused by the marketplace"))
    if not history:
        return f"<p>{t_no_changes_yet}</p>"
    items = []
    for entry in history:
        mark = SYNC_MARKS.get(entry.sync_state, "")
        head = f"{mark} {escape(reader.when(entry.created_at))} — <b>{escape(entry.status)}</b>"
        if entry.resolution:
            kind = _("money returned") if entry.resolution == "refund" else _("item exchanged")
            head += f" ({escape(kind)})"
        body = f"<p>{escape(entry.comment)}</p>" if entry.comment else ""
        if entry.sync_state == "pending":
            body += f'<p class="hint">{t_pending}</p>'
        elif entry.sync_state == "refused":
            body += f'<p class="hint">{t_refused}</p>'
        items.append(f"<li>{head}{body}</li>")
    return '<ol class="history">' + "".join(items) + "</ol>"


def _conversation(lines: Sequence[Line], order: Order, reader: Reader) -> str:
    _ = reader._
    t_no_messages_yet = escape(_("No messages yet."))
    if not lines:
        return f'<p class="hint">{t_no_messages_yet}</p>'
    who = {"buyer": order.buyer_alias, "staff": _("Marketplace"), "seller": _("You")}
    items = []
    for line in lines:
        files = (
            " 📎 " + escape(_("files: {count}").format(count=line.attachments))
            if line.attachments
            else ""
        )
        items.append(
            f'<li class="msg {line.author}"><span class="meta">'
            f"{escape(who.get(line.author, line.author))} · {escape(reader.when(line.at))}</span>"
            f"<p>{escape(line.text)}{files}</p></li>"
        )
    return '<ul class="conversation">' + "".join(items) + "</ul>"


def _action(order: Order, target: Status, reader: Reader) -> str:
    _ = reader._
    t_tracking_number = escape(_("Tracking number"))
    t_photo = escape(_("or a photo of the parcel's label"))
    t_settled_how = escape(_("How was the dispute settled?"))
    t_money_returned = escape(_("Money returned"))
    t_item_exchanged = escape(_("Item exchanged"))
    t_note = escape(_("Note for the history (required)"))
    t_comment = escape(_("Comment for the Order Status History (optional)"))
    t_change_order_status = escape(_("Change Order Status"))
    fields = []
    if target is Status.SHIPPED:
        deliver_by = datetime.now(UTC) + timedelta(days=int(order.delivery.get("max_days", 0)))
        checklist = [_("warranty card"), _("invoice or receipt"), _("refund form in English")]
        fields.append(
            '<ul class="checklist">'
            + "".join(f"<li>☐ {escape(c)}</li>" for c in checklist)
            + "</ul>"
        )
        fields.append(
            "<p>"
            + escape(
                _("Shipped today, it must arrive by {deadline}.").format(
                    deadline=reader.when(deliver_by)
                )
            )
            + "</p>"
        )
        fields.append(
            f'<label>{t_tracking_number}<input name="tracking_number" required'
            ' autocomplete="off" autocapitalize="characters" inputmode="text"></label>'
        )
        fields.append(
            f'<label class="photo">📷 {t_photo}<input type="file" name="label"'
            ' accept="image/*" capture="environment"></label>'
            '<p class="label-note hint" role="status" hidden></p>'
        )
    if target is Status.REFUNDED:
        fields.append(
            f"<fieldset><legend>{t_settled_how}</legend>"
            f'<label class="choice"><input type="radio" name="resolution" value="refund" required>'
            f" {t_money_returned}</label>"
            f'<label class="choice"><input type="radio" name="resolution" value="exchange">'
            f" {t_item_exchanged}</label></fieldset>"
        )
        fields.append(
            f"<label>{t_note}"
            '<textarea name="comment" required maxlength="2000" rows="3"></textarea></label>'
        )
    else:
        fields.append(
            f"<label>{t_comment}"
            '<textarea name="comment" maxlength="2000" rows="2"></textarea></label>'
        )
    return (
        f'<details class="action" data-action="{target.value}"><summary>{target.value}</summary>'
        f'<form data-status="{target.value}" data-number="{escape(order.number)}">'
        + "".join(fields)
        + '<p class="error" role="alert" hidden></p>'
        f'<button type="submit" class="confirm">{t_change_order_status}</button>'
        "</form></details>"
    )


def order_page(
    order: Order,
    history: Sequence[HistoryEntry],
    lines: Sequence[Line],
    reader: Reader,
    allowed: Sequence[Status],
) -> str:
    """One order: items, delivery, deadlines, the status actions, history and conversation."""
    _ = reader._
    t_board = escape(_("Board"))
    t_order_status_history = escape(_("Order Status History"))
    t_conversation = escape(_("Conversation with the buyer"))
    items = "".join(
        f"<li>{escape(str(item['title']))} × {escape(str(item['quantity']))} — "
        f"{escape(reader.money(str(item['unit_price']), order.currency))}</li>"
        for item in order.items
    )
    facts = [
        _("Buyer: {alias}").format(alias=order.buyer_alias),
        _("Placed: {when}").format(when=reader.when(order.placed_at)),
        _("Total: {total}").format(total=reader.money(order.total, order.currency)),
        _("Delivery: {option}").format(option=order.delivery.get("label", "")),
        *deadlines(order, reader),
    ]
    if order.tracking_number:
        facts.append(_("Tracking number: {number}").format(number=order.tracking_number))
    title = escape(_("Order {number}").format(number=order.number))
    actions = "".join(_action(order, s, reader) for s in allowed)
    return (
        f'<article class="order-page" data-number="{escape(order.number)}">'
        f'<a class="back" data-view href="view/board">← {t_board}</a>'
        f"<h1>{title}"
        f' <span class="status">{escape(order.status)}</span></h1>'
        f'<p class="flash" role="status" hidden></p>'
        f'<ul class="items">{items}</ul>'
        '<ul class="facts">' + "".join(f"<li>{escape(f)}</li>" for f in facts) + "</ul>"
        f'<section class="actions">{actions}</section>'
        f"<h2>{t_order_status_history}</h2>{_history(history, reader)}"
        f"<h2>{t_conversation}</h2>"
        f"{_conversation(lines, order, reader)}</article>{nav(reader, 'order')}"
    )


def error(title: str, detail: str) -> str:
    """What the page shows instead of data when it may not show any."""
    return (
        f'<section class="error-page" role="alert"><h1>{escape(title)}</h1>'
        f"<p>{escape(detail)}</p></section>"
    )
