"""Answer a buyer with a saved reply: pick it under the compose prompt, read it filled in, send.

Runs in group -1 with the relay's compose step (see relay.mmd and saved_replies.mmd): the
"Message buyer" prompt offers the seller's saved replies as buttons; pressing one shows the
reply filled in for the order and masked, exactly as the buyer will read it, with "Send to the
buyer" and "Cancel". Sending queues it like any message to the buyer (bot.relay.replies); the
preview turns into the "⏳ … ✅" notice. A stale or forged button changes nothing.
"""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler

from bot.domain.saved_replies import TemplateRefused
from bot.presentation import refusals
from bot.presentation import saved_replies as view
from bot.presentation.callback_data import ForgedCallback
from bot.relay.replies import AlreadyQueued
from bot.sync.orders import Notice, OrderNotFound
from bot.team.roles import NotAllowed
from bot.team.saved_replies import ReplyNotFound
from conversations.relay import COMPOSE
from handlers.answers import not_allowed, reply, step_is_over
from handlers.context import Context
from handlers.who import identify, pressing


async def use_saved(update: Update, context: Context) -> None:
    """Show the pressed saved reply filled in for the order being answered."""
    query, who = await pressing(update, context)
    _ = who._
    compose = context.user_data.get(COMPOSE)
    try:
        verb, reply_id = view.decode(query.data)
    except ForgedCallback:
        verb, reply_id = "", None
    if not compose or who.seller_id is None or verb != "use" or reply_id is None:
        await step_is_over(query, who)
        raise ApplicationHandlerStop
    try:
        filled = await context.runtime.saved_replies.fill(
            who.seller_id, reply_id, compose["number"], actor_telegram_id=who.user_id
        )
    except NotAllowed as refusal:
        await not_allowed(query, who, refusal.permission)
        raise ApplicationHandlerStop from None
    except TemplateRefused as refusal:
        await query.answer(view.refused(refusal, _), show_alert=True)
        raise ApplicationHandlerStop from None
    except ReplyNotFound:
        await query.answer(view.gone(_), show_alert=True)
        raise ApplicationHandlerStop from None
    await query.answer()
    shown = await reply(
        update,
        view.preview(filled.number, filled.text, bool(filled.hidden), _),
        view.preview_keyboard(_),
    )
    # The preview's Cancel button now closes the step, as the prompt's did.
    context.user_data[COMPOSE] = {**compose, "saved": filled.text, "prompt": shown.message_id}
    raise ApplicationHandlerStop


async def send_saved(update: Update, context: Context) -> None:
    """Queue the previewed reply for the buyer; the preview becomes its "⏳ … ✅" notice."""
    query = update.callback_query
    assert query is not None and query.message is not None
    who = await identify(update, context)
    _ = who._
    compose = context.user_data.get(COMPOSE) or {}
    preview_id = query.message.message_id
    if who.seller_id is None or "saved" not in compose or compose.get("prompt") != preview_id:
        await step_is_over(query, who)
        raise ApplicationHandlerStop
    context.user_data.pop(COMPOSE, None)
    await query.answer()
    number = compose["number"]
    try:
        await context.runtime.replies.queue(
            who.seller_id,
            number,
            compose["saved"],
            [],
            source=f"saved-{who.chat_id}-{preview_id}",
            notice=Notice(who.chat_id, preview_id, who.locale),
            actor_telegram_id=who.user_id,
        )
    except NotAllowed as refusal:
        await query.edit_message_text(escape(refusals.not_allowed(refusal.permission, _)))
        raise ApplicationHandlerStop from None
    except AlreadyQueued:
        raise ApplicationHandlerStop from None
    except OrderNotFound:
        await query.edit_message_text(escape(refusals.unknown_order(number, _)))
        raise ApplicationHandlerStop from None
    waiting = _(
        "⏳ Sending to the buyer of order {number}… It goes out as soon as the marketplace answers."
    ).format(number=number)
    await query.edit_message_text(escape(waiting), parse_mode="HTML")
    raise ApplicationHandlerStop


def intercepts() -> list[BaseHandler[Update, Context, None]]:
    """Group -1, ahead of the relay's own: the saved-reply buttons of the compose step."""
    return [
        CallbackQueryHandler(use_saved, pattern=view.USE_PATTERN),
        CallbackQueryHandler(send_saved, pattern=rf"^{view.SEND_DATA}$"),
    ]
