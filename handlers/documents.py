"""The printable refund form: ``/form <number>`` and the button in the SHIPPED flow."""

from __future__ import annotations

import asyncio
import re
from html import escape
from typing import TYPE_CHECKING

from telegram import InputFile, Update

from bot.domain.identifiers import ORDER_NUMBER_PATTERN
from bot.presentation import refusals
from bot.sync.orders import OrderNotFound
from handlers.commands import require_seller
from handlers.context import Context
from handlers.who import Who
from storage import repositories
from storage.models import Order

if TYPE_CHECKING:
    from bot.documents.refund_form import RefundFormData


def form_data(order: Order, seller_name: str) -> RefundFormData:
    from bot.documents.refund_form import RefundFormData, RefundFormItem

    local_placed = order.placed_at.date()
    return RefundFormData(
        order_number=order.number,
        order_date=local_placed,
        items=[
            RefundFormItem(title=item["title"], quantity=int(item["quantity"]), sku=item.get("sku"))
            for item in order.items
        ],
        seller_name=seller_name,
        buyer_alias=order.buyer_alias,
        delivered_on=order.delivered_at.date() if order.delivered_at else None,
    )


async def send_form(update: Update, context: Context, who: Who, number: str) -> None:
    """Render the order's refund form and send it as a PDF."""
    chat = update.effective_chat
    assert chat is not None
    runtime = context.runtime
    try:
        order = await runtime.orders.find(
            who.seller_id or "", number, actor_telegram_id=who.user_id
        )
    except OrderNotFound:
        await chat.send_message(escape(refusals.unknown_order(number, who._)), parse_mode="HTML")
        return
    async with runtime.db.snapshot() as session:
        seller = await repositories.seller(session, order.seller_id)
    name = (seller.name if seller and seller.name else None) or order.seller_id
    # The PDF library is imported on first use: it costs ~35 MB that most processes never need.
    from bot.documents.refund_form import render_refund_form

    # Rendering takes a fraction of a second of CPU: keep the event loop free meanwhile.
    pdf = await asyncio.to_thread(render_refund_form, form_data(order, name))
    await chat.send_document(
        InputFile(pdf, filename=f"refund-form-{order.number}.pdf"),
        caption=who._("Refund form for order {number}: print it and put it in the parcel.").format(
            number=order.number
        ),
    )


async def form_command(update: Update, context: Context) -> None:
    """/form <number>: the printable refund form in English."""
    who = await require_seller(update, context)
    if who is None:
        return
    chat = update.effective_chat
    assert chat is not None
    if not context.args:
        await chat.send_message(
            who._("Which order? For example: {usage}").format(usage="/form 100234")
        )
        return
    if not re.match(ORDER_NUMBER_PATTERN, context.args[0]):
        await chat.send_message(refusals.bad_number(who._))
        return
    await send_form(update, context, who, context.args[0])
