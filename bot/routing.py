"""Every handler, registered in one ordered place: the first match in a group wins.

Part of the composition root: the only module that sees both ``handlers/`` and
``conversations/``. Every inline button is routed here, once, when the application is built.
"""

from __future__ import annotations

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.presentation import saved_replies as saved_view
from bot.presentation.callback_data import HISTORY_PATTERN, NEW_ORDERS_PATTERN, Action
from bot.presentation.team import TEAM_PATTERN
from conversations import away as away_flow
from conversations import relay, relay_saved, shipping, status_change
from conversations import saved_replies as saved_replies_flow
from conversations.steady import steadied
from handlers import away, callbacks, commands, documents, private_only, settings, team
from handlers import saved_replies as saved_replies_handlers
from handlers.context import Context
from handlers.errors import on_error

PRIVATE = filters.ChatType.PRIVATE

#: order buttons that open a flow or send something; details and the address are built in
ORDER_ACTIONS: dict[Action, callbacks.OrderAction] = {
    Action.REPLY: relay.open_compose,
    Action.FORM: documents.send_form,
    Action.SNOOZE: settings.snooze,
}


def register(
    application: Application,
    extra_conversations: list[BaseHandler] | None = None,
    extra_handlers: list[BaseHandler] | None = None,
) -> None:
    handlers: list[BaseHandler] = [
        # Open to everyone, linked or not.
        CommandHandler("start", commands.start, filters=PRIVATE),
        CommandHandler("help", commands.help_command),
        CommandHandler("language", commands.language),
        CallbackQueryHandler(commands.choose_language, pattern=r"^lang:"),
        # Multi-step flows come before the one-shot commands so their steps win.
        # Each flow's steps are made steady: a failing step answers and keeps the flow.
        steadied(
            status_change.build(
                entry_points=shipping.entry_points(),
                tracking_steps=shipping.tracking_steps(),
                after_change=shipping.after_change,
            )
        ),
        steadied(saved_replies_flow.build()),
        steadied(away_flow.build()),
        *(extra_conversations or []),
        # One-shot commands for linked sellers (each checks the link itself).
        CommandHandler("orders", commands.orders),
        CommandHandler("order", commands.order),
        CommandHandler("demo", commands.demo),
        CommandHandler("form", documents.form_command),
        CommandHandler("settings", settings.settings_command),
        CallbackQueryHandler(settings.settings_button, pattern=r"^set:"),
        CommandHandler("team", team.team_command),
        CallbackQueryHandler(team.team_button, pattern=TEAM_PATTERN),
        CommandHandler("replies", saved_replies_handlers.replies_command),
        CommandHandler("away", away.away_command),
        CallbackQueryHandler(saved_replies_handlers.manage_button, pattern=saved_view.PATTERN),
        CommandHandler("cancel", commands.cancel_outside),
        *(extra_handlers or []),
        # Buttons outside a flow.
        CallbackQueryHandler(callbacks.order_buttons(ORDER_ACTIONS), pattern=r"^o:"),
        CallbackQueryHandler(callbacks.history_page, pattern=HISTORY_PATTERN),
        CallbackQueryHandler(callbacks.new_orders_button, pattern=NEW_ORDERS_PATTERN),
        CallbackQueryHandler(callbacks.stale_step, pattern=r"^s:"),
        CallbackQueryHandler(callbacks.unknown_button),
        # Contact cards, locations, voice, video, stickers...: refused; files: how to send them.
        *relay.fallbacks(),
        # Whatever is left.
        MessageHandler(filters.COMMAND, commands.unknown_command),
        MessageHandler(filters.TEXT & ~filters.UpdateType.EDITED, commands.plain_text),
    ]
    # Group -2, before everything: the bot works in the user's own private chat only.
    application.add_handler(private_only.gate(), group=-2)
    # Group -1, before every flow: a reply to a buyer (or the "Message buyer" step) is taken and
    # stops there; anything else passes on to the handlers above.
    application.add_handlers(relay_saved.intercepts() + relay.intercepts(), group=-1)
    application.add_handlers(handlers)
    application.add_error_handler(on_error)


__all__ = ["Context", "register"]
