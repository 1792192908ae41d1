"""Add or edit a saved reply: press "Add a reply" or "✏️ N" under /replies, then send the text.

The text is checked when it is saved (see bot.domain.saved_replies): a contact detail, an
unknown placeholder or stray braces are refused with the reason, and the step waits for a
better text; /cancel leaves. See saved_replies.mmd.
"""

from __future__ import annotations

import warnings
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as tg_filters
from telegram.warnings import PTBUserWarning

from bot.domain.saved_replies import TemplateRefused
from bot.presentation import refusals
from bot.presentation import saved_replies as view
from bot.team.roles import NotAllowed
from bot.team.saved_replies import ReplyNotFound, TooManyReplies
from handlers.answers import decoded, no_longer_valid, not_allowed, pressed, reply
from handlers.context import Context
from handlers.saved_replies import listing
from handlers.who import identify, pressing

TEXT = 0
END = ConversationHandler.END
_KEY = "saved_reply"


async def start(update: Update, context: Context) -> int:
    """Ask for the reply's text (a new one, or the new text of reply N)."""
    query, who = await pressing(update, context)
    pressed_data = await decoded(query, who, view.decode)
    if pressed_data is None:
        return END
    verb, reply_id = pressed_data
    if who.seller_id is None:
        await no_longer_valid(query, who)
        return END
    try:
        await listing(context, who)  # the owner's check, before anything is asked
    except NotAllowed as refusal:
        await not_allowed(query, who, refusal.permission)
        return END
    await query.answer()
    context.user_data[_KEY] = {"id": reply_id if verb == "edit" else None}
    await reply(update, view.ask_text(who._))
    return TEXT


async def got_text(update: Update, context: Context) -> int:
    """Save the text, or say why it cannot be saved and wait for another."""
    message = update.effective_message
    assert message is not None and message.text is not None
    who = await identify(update, context)
    _ = who._
    step = context.user_data.get(_KEY)
    if not step or who.seller_id is None:
        return END
    service = context.runtime.saved_replies
    try:
        if step["id"] is None:
            await service.add(who.seller_id, message.text, actor_telegram_id=who.user_id)
        else:
            await service.edit(
                who.seller_id, step["id"], message.text, actor_telegram_id=who.user_id
            )
        text, markup = await listing(context, who)
    except TemplateRefused as refusal:
        await message.reply_html(view.refused(refusal, _))
        return TEXT
    except NotAllowed as refusal:
        context.user_data.pop(_KEY, None)
        await message.reply_html(escape(refusals.not_allowed(refusal.permission, _)))
        return END
    except TooManyReplies:
        context.user_data.pop(_KEY, None)
        await message.reply_html(view.too_many(_))
        return END
    except ReplyNotFound:
        context.user_data.pop(_KEY, None)
        await message.reply_html(view.gone(_))
        return END
    context.user_data.pop(_KEY, None)
    await message.reply_html(escape(_("Saved.")))
    await message.reply_html(text, reply_markup=markup)
    return END


async def cancel(update: Update, context: Context) -> int:
    """Leave; nothing is saved."""
    who = await identify(update, context)
    context.user_data.pop(_KEY, None)
    await pressed(update)
    await reply(update, escape(who._("Cancelled. Nothing was saved.")))
    return END


def build() -> ConversationHandler[Context]:
    with warnings.catch_warnings():
        # Tracked per chat and user on purpose: the step spans a button and a typed answer.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(start, pattern=view.FLOW_PATTERN)],
            states={TEXT: [MessageHandler(tg_filters.TEXT & ~tg_filters.COMMAND, got_text)]},
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=r"^s:cancel$"),
            ],
            allow_reentry=True,
            name="saved_replies",
            persistent=True,
        )
