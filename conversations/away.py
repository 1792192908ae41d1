"""Away mode from /settings: "Turn away mode on", then the date and the message in one line.

The same rules and answers as ``/away <until> <message>`` (handlers/away.py); a refused line
keeps the step open for a better one, /cancel leaves. See away.mmd.
"""

from __future__ import annotations

import warnings
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as tg_filters
from telegram.warnings import PTBUserWarning

from bot.presentation import away as view
from bot.team.roles import Permission
from handlers.answers import not_allowed, reply
from handlers.away import turn
from handlers.context import Context
from handlers.who import identify, pressing

ASK = 0
END = ConversationHandler.END


async def ask(update: Update, context: Context) -> int:
    """Ask for the date the seller is back and the away message."""
    query, who = await pressing(update, context)
    if not who.may(Permission.MANAGE_AWAY):
        # The service refuses it again; saying so now saves the seller a pointless step.
        await not_allowed(query, who, Permission.MANAGE_AWAY)
        return END
    await query.answer()
    await reply(update, view.ask(who._))
    return ASK


async def answer(update: Update, context: Context) -> int:
    """Turn away mode on with the line sent, or say why not and wait for another."""
    message = update.effective_message
    assert message is not None and message.text is not None
    who = await identify(update, context)
    words = message.text.split()
    if not words or words[0].lower() == "off":
        await message.reply_html(view.ask(who._))
        return ASK
    said = await turn(context, who, words)
    await message.reply_html(said)
    on = await context.runtime.away.current(who.seller_id or "")
    return END if on is not None else ASK


async def cancel(update: Update, context: Context) -> int:
    """Leave; away mode stays as it was."""
    who = await identify(update, context)
    await reply(update, escape(who._("Cancelled. Nothing was changed.")))
    return END


def build() -> ConversationHandler[Context]:
    with warnings.catch_warnings():
        # Tracked per chat and user on purpose: the step spans a button and a typed answer.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(ask, pattern=r"^set:away:on$")],
            states={ASK: [MessageHandler(tg_filters.TEXT & ~tg_filters.COMMAND, answer)]},
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="away",
            persistent=True,
        )
