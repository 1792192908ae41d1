"""The bot works in private chats only: an update from anywhere else stops here, before any flow.

A group, a supergroup or a channel never sees order data and never becomes an account's chat. A
command there gets one line saying where the bot works; anything else there is ignored. A button
press counts as private only when the message it sits on is in the presser's own private chat,
so a crafted callback that carries another chat's message changes nothing either.
"""

from __future__ import annotations

from html import escape

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.i18n import pick_locale, translator
from handlers.context import Context


def own_private_chat(update: Update) -> bool:
    """True when the update comes from a user's private chat with the bot, about that chat."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return False
    if chat.type != Chat.PRIVATE or chat.id != user.id:
        return False
    query = update.callback_query
    if query is not None:
        # effective_chat is the message's chat; an inline message (none) has no chat of ours.
        message = query.message
        return message is not None and message.chat.id == user.id
    return True


async def turn_away(update: Update, context: Context) -> None:
    """Stop an update that is not from the user's own private chat; answer a command in a line."""
    if own_private_chat(update):
        return
    user = update.effective_user
    # Said in the language Telegram reports: no account is looked up, so nothing can move.
    language = user.language_code if user else None
    locale = pick_locale(None, language, context.runtime.defaults.locale)
    _ = translator(locale)
    text = _("I work only in a private chat. Write to me directly, not in a group.")
    query = update.callback_query
    message = update.message
    if query is not None:
        await query.answer(text, show_alert=True)
    elif message is not None and message.text and message.text.startswith("/"):
        await message.reply_text(escape(text), parse_mode="HTML")
    raise ApplicationHandlerStop


def gate() -> TypeHandler[Update, Context, None]:
    """The handler that runs before every other one (group -2 in bot/routing.py)."""
    return TypeHandler(Update, turn_away)
