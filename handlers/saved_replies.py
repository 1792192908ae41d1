"""/replies: the owner's saved replies, with buttons to move and delete them.

Adding and editing are a short flow (conversations/saved_replies.py). Every action goes through
``bot.team.saved_replies.SavedReplies``, which checks the owner's role: staff get one line.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.presentation import refusals
from bot.presentation import saved_replies as view
from bot.presentation.callback_data import ForgedCallback
from bot.team.roles import NotAllowed
from bot.team.saved_replies import ReplyNotFound
from handlers.answers import no_longer_valid, not_allowed, reply
from handlers.commands import require_seller
from handlers.context import Context
from handlers.who import Who, pressing


async def listing(context: Context, who: Who) -> tuple[str, InlineKeyboardMarkup]:
    """The list and its buttons, as the owner sees them now (raises NotAllowed for staff)."""
    saved = await context.runtime.saved_replies.all(
        who.seller_id or "", actor_telegram_id=who.user_id
    )
    return view.listing(saved, who._), view.manage_keyboard(saved, who._)


async def replies_command(update: Update, context: Context) -> None:
    """Show the saved replies with buttons to add, edit, move and delete them."""
    who = await require_seller(update, context)
    if who is None:
        return
    chat = update.effective_chat
    assert chat is not None
    try:
        text, markup = await listing(context, who)
    except NotAllowed as refusal:
        await chat.send_message(refusals.not_allowed(refusal.permission, who._))
        return
    await reply(update, text, markup)


async def manage_button(update: Update, context: Context) -> None:
    """Move a reply up or down, or delete it, and redraw the list."""
    query, who = await pressing(update, context)
    _ = who._
    try:
        verb, reply_id = view.decode(query.data)
    except ForgedCallback:
        verb, reply_id = "", None
    if who.seller_id is None or reply_id is None or verb not in ("up", "down", "del"):
        await no_longer_valid(query, who)
        return
    service = context.runtime.saved_replies
    try:
        if verb == "del":
            await service.delete(who.seller_id, reply_id, actor_telegram_id=who.user_id)
        else:
            step = -1 if verb == "up" else 1
            await service.move(who.seller_id, reply_id, step, actor_telegram_id=who.user_id)
        text, markup = await listing(context, who)
    except NotAllowed as refusal:
        await not_allowed(query, who, refusal.permission)
        return
    except ReplyNotFound:
        await query.answer(view.gone(_), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
