"""Inline buttons that act at once on an order: its details, the shipping address, and the
actions the composition root routes here (the refund form, a message to the buyer, snooze).

Callback data is parsed strictly and then checked against the seller linked to the account that
pressed it; a forged or replayed button gets a one-line answer and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from telegram import Update

from bot.presentation import coalesced, refusals, views
from bot.presentation.callback_data import Action, HistoryPage, OrderCallback
from bot.sync.orders import OrderNotFound
from handlers.answers import decoded, link_first, no_longer_valid, reply, step_is_over
from handlers.commands import render_card, send_card
from handlers.context import Context
from handlers.who import Who, identify, pressing
from storage import repositories

log = logging.getLogger(__name__)


#: what a routed order button does once it is checked: (update, context, who, order number)
OrderAction = Callable[[Update, Context, Who, str], Awaitable[None]]


def order_buttons(
    actions: Mapping[Action, OrderAction],
) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """The callback for every ``o:`` button: details and address here, ``actions`` routed."""

    async def callback(update: Update, context: Context) -> None:
        await order_button(update, context, actions)

    return callback


async def order_button(
    update: Update, context: Context, actions: Mapping[Action, OrderAction]
) -> None:
    """Answer a button that names an order: show it, its address, or run its routed action."""
    query, who = await pressing(update, context)
    data = await decoded(query, who, OrderCallback.decode)
    if data is None:
        return
    if who.seller_id is None:
        await link_first(query, who)
        return
    action = actions.get(data.action)
    if action is not None:
        await query.answer()
        await action(update, context, who, data.number)
        return
    if data.action is Action.DETAILS:
        await query.answer()
        await send_card(update, context, who, data.number)
    elif data.action is Action.ADDRESS:
        try:
            order = await context.runtime.orders.find(
                who.seller_id, data.number, actor_telegram_id=who.user_id
            )
        except OrderNotFound:
            await query.answer(refusals.unknown_order(data.number, who._), show_alert=True)
            return
        await query.answer()
        await reply(update, views.shipping_address(order, who.reader))
    else:
        await no_longer_valid(query, who)


async def history_page(update: Update, context: Context) -> None:
    """Turn the order card to an earlier or later page of its history, in place."""
    query, who = await pressing(update, context)
    data = await decoded(query, who, HistoryPage.decode)
    if data is None:
        return
    rendered = await render_card(context, who, data.number, data.page) if who.seller_id else None
    if rendered is None:
        await query.answer(refusals.unknown_order(data.number, who._), show_alert=True)
        return
    await query.answer()
    text, markup = rendered
    await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)


async def new_orders_button(update: Update, context: Context) -> None:
    """List every new sale not started yet, each with its PROCESSING button."""
    query, who = await pressing(update, context)
    if who.seller_id is None:
        await link_first(query, who)
        return
    await query.answer()
    async with context.runtime.db.snapshot() as session:
        found = await repositories.new_orders(session, who.seller_id)
    await reply(update, *coalesced.new_orders(found, who.reader))


async def stale_step(update: Update, context: Context) -> None:
    """A step button pressed after its flow ended (finished, cancelled, or another device)."""
    query = update.callback_query
    assert query is not None
    await step_is_over(query, await identify(update, context))


async def unknown_button(update: Update, context: Context) -> None:
    """Callback data this bot never produces."""
    query, who = await pressing(update, context)
    log.warning("unknown callback data from user %s", who.user_id)
    await no_longer_valid(query, who)
