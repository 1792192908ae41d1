"""Inline keyboards. Status buttons carry the marketplace's own status word in every language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo

from bot.domain.lifecycle import Status, allowed_next
from bot.i18n import Gettext
from bot.presentation.callback_data import (
    Action,
    HistoryPage,
    OrderCallback,
    Step,
    step_data,
    understood,
)
from bot.team.roles import Permission, Role, allows, permission_for

#: a button, as Telegram's object or as (text, callback data)
B = TypeVar("B")

_STATUS_ACTIONS = {
    Status.PROCESSING: Action.PROCESSING,
    Status.SHIPPED: Action.SHIPPED,
    Status.COMPLETE: Action.COMPLETE,
    Status.REFUNDED: Action.REFUNDED,
}


def _order_button(text: str, action: Action, number: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=OrderCallback(action, number).encode())


def _readable(rows: list[list[B]], data: Callable[[B], object]) -> list[list[B]]:
    """The rows without buttons the bot could not read back (and without rows left empty): an
    order number outside the shape buttons carry would make data Telegram refuses (over 64
    bytes) or the bot ignores. ``data``: a button's callback data, when it has any."""

    def readable(button: B) -> bool:
        carried = data(button)
        return not isinstance(carried, str) or understood(carried)

    kept = [[b for b in row if readable(b)] for row in rows]
    return [row for row in kept if row]


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    """The keyboard without buttons the bot could not read back (:func:`_readable`)."""
    return InlineKeyboardMarkup(_readable(rows, lambda b: b.callback_data))


def status_buttons(number: str, current: Status) -> list[InlineKeyboardButton]:
    return [_order_button(s.value, _STATUS_ACTIONS[s], number) for s in allowed_next(current)]


def sale(number: str, _: Gettext, current: Status = Status.PROCESSED) -> dict[str, Any]:
    """The buttons under a new sale: start preparing (or, when it is already PROCESSING, ship
    it), or look at the order. As the Bot API's JSON, made without Telegram's objects: it goes
    under every sale a flash sale queues, into the outbox as it is, and building the objects to
    turn them into JSON took a tenth of processing such an event."""
    first = Status.SHIPPED if current is Status.PROCESSING else Status.PROCESSING
    rows = [
        [(first.value, OrderCallback(_STATUS_ACTIONS[first], number).encode())],
        [(_("Details"), OrderCallback(Action.DETAILS, number).encode())],
    ]
    return {
        "inline_keyboard": [
            [{"text": text, "callback_data": data} for text, data in row]
            for row in _readable(rows, lambda button: button[1])
        ]
    }


def order_actions(
    number: str,
    current: Status,
    _: Gettext,
    role: Role = Role.OWNER,
    page: int = 0,
    pages: int = 1,
) -> InlineKeyboardMarkup:
    """Everything this account's role may do with an order from its details card; with several
    history pages, the buttons to the earlier and later ones."""
    rows = [
        [button]
        for status, button in zip(
            allowed_next(current), status_buttons(number, current), strict=True
        )
        if allows(role, permission_for(status))
    ]
    extras = []
    if allows(role, Permission.WRITE_TO_BUYERS):
        extras.append(_order_button(_("Message buyer"), Action.REPLY, number))
    if current in (Status.PROCESSING, Status.SHIPPED, Status.COMPLETE):
        extras.append(_order_button(_("Refund form"), Action.FORM, number))
    if extras:
        rows.append(extras)
    if current in (Status.PROCESSED, Status.PROCESSING, Status.SHIPPED):
        rows.append([_order_button(_("Shipping address"), Action.ADDRESS, number)])
    turns = []
    if page > 0:
        turns.append(_page_button(_("◀ Earlier"), number, page - 1))
    if page < pages - 1:
        turns.append(_page_button(_("Later ▶"), number, page + 1))
    if turns:
        rows.append(turns)
    return _markup(rows)


def _page_button(text: str, number: str, page: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=HistoryPage(number, page).encode())


def relay_reply(number: str, _: Gettext, role: Role = Role.OWNER) -> InlineKeyboardMarkup:
    """Under a relayed buyer message: answer the buyer (the owner), or look at the order."""
    row = [_order_button(_("Details"), Action.DETAILS, number)]
    if allows(role, Permission.WRITE_TO_BUYERS):
        row.insert(0, _order_button(_("Reply"), Action.REPLY, number))
    return _markup([row])


def open_order(number: str, _: Gettext) -> InlineKeyboardMarkup:
    return _markup([[_order_button(_("Details"), Action.DETAILS, number)]])


def skip(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Skip"), callback_data=step_data(Step.SKIP))], [_cancel(_)]]
    )


def comment_or_confirm(_: Gettext) -> InlineKeyboardMarkup:
    """Under the comment question: save at once, or skip to the confirmation, or leave."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("Change Order Status"), callback_data=step_data(Step.CONFIRM))],
            [InlineKeyboardButton(_("Skip"), callback_data=step_data(Step.SKIP))],
            [_cancel(_)],
        ]
    )


def confirm(_: Gettext) -> InlineKeyboardMarkup:
    """The manual's "Change Order Status" button that saves the change."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("Change Order Status"), callback_data=step_data(Step.CONFIRM))],
            [_cancel(_)],
        ]
    )


def resolution(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("Money returned"), callback_data=step_data(Step.REFUND)),
                InlineKeyboardButton(_("Item exchanged"), callback_data=step_data(Step.EXCHANGE)),
            ],
            [_cancel(_)],
        ]
    )


def form_and_cancel(number: str, _: Gettext) -> InlineKeyboardMarkup:
    """Under the shipping checklist: the printable refund form, or leave."""
    return _markup([[_order_button(_("Refund form"), Action.FORM, number)], [_cancel(_)]])


def language() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🇧🇬 Български", callback_data="lang:bg"),
                InlineKeyboardButton("🇬🇧 English", callback_data="lang:en"),
            ]
        ]
    )


def cancel_only(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_cancel(_)]])


def _cancel(_: Gettext) -> InlineKeyboardButton:
    return InlineKeyboardButton(_("Cancel"), callback_data=step_data(Step.CANCEL))


def open_board(url: str, _: Gettext) -> InlineKeyboardMarkup:
    """The button that opens the order board (the Mini App) inside Telegram."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("Open board"), web_app=WebAppInfo(url))]])


def board_menu_button(url: str, _: Gettext) -> MenuButtonWebApp:
    """The chat's menu button, opening the order board."""
    return MenuButtonWebApp(_("Order board"), WebAppInfo(url))
