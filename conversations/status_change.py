"""Guide the seller through one status change, from a button or a one-line command.

PROCESSING and COMPLETE ask for an optional comment; SHIPPED first shows the shipping checklist
and asks for the tracking number (unless the command carried it), typed or as a photo of the
label (:mod:`conversations.shipping`); REFUNDED asks whether money was returned or the item
exchanged, then for the mandatory note. Every flow ends on the manual's "Change Order Status"
confirmation, which the comment question already carries: a seller with nothing to add saves at
once. ``/cancel`` leaves at any step. See status_change.mmd. This module opens and builds the
flow; the answers to its steps are in :mod:`conversations.status_steps`.

The flow's answers live in ``user_data["flow"]`` as plain JSON, so the database-backed
persistence restores a half-finished flow after a restart.
"""

from __future__ import annotations

import functools
import re
import warnings
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.identifiers import ORDER_NUMBER_PATTERN
from bot.domain.lifecycle import (
    Status,
    TransitionRefused,
)
from bot.presentation import keyboards, refusals, views
from bot.presentation import shipping as shipping_views
from bot.presentation.callback_data import Action, OrderCallback
from bot.presentation.limits import clip
from bot.sync.orders import OrderNotFound
from bot.team.roles import NotAllowed
from conversations.status_steps import (
    COMMENT,
    CONFIRM,
    END,
    NOTE,
    RESOLUTION,
    TRACKING,
    AfterChange,
    ask_comment,
    confirm,
    got_comment,
    got_note,
    got_resolution,
    got_tracking,
    skip_comment,
    take_tracking,
)
from handlers.answers import decoded, pressed, reply
from handlers.context import Context
from handlers.who import Who, identify, pressing
from storage.models import Order

_TARGETS = {
    Action.PROCESSING: Status.PROCESSING,
    Action.SHIPPED: Status.SHIPPED,
    Action.COMPLETE: Status.COMPLETE,
    Action.REFUNDED: Status.REFUNDED,
}
_COMMANDS = {
    "processing": Status.PROCESSING,
    "ship": Status.SHIPPED,
    "complete": Status.COMPLETE,
    "refund": Status.REFUNDED,
}


async def start_from_button(update: Update, context: Context) -> int:
    """Open the flow that the pressed status button names."""
    query, who = await pressing(update, context)
    data = await decoded(query, who, OrderCallback.decode)
    if data is None:
        return END
    await pressed(update)
    return await _begin(update, context, who, data.number, _TARGETS[data.action], tracking=None)


async def start_from_command(update: Update, context: Context) -> int:
    """Open a flow from /processing, /ship, /complete or /refund with the order number."""
    message = update.effective_message
    assert message is not None and message.text is not None
    who = await identify(update, context)
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    target = _COMMANDS[command]
    args = context.args or []
    if not args:
        usage = {
            Status.PROCESSING: "/processing 100234",
            Status.SHIPPED: "/ship 100234 RR123456785BG",
            Status.COMPLETE: "/complete 100234",
            Status.REFUNDED: "/refund 100234",
        }[target]
        await reply(update, escape(who._("Which order? For example: {usage}").format(usage=usage)))
        return END
    if not re.match(ORDER_NUMBER_PATTERN, args[0]):
        await reply(update, escape(refusals.bad_number(who._)))
        return END
    tracking = " ".join(args[1:]) if target is Status.SHIPPED and len(args) > 1 else None
    return await _begin(update, context, who, args[0], target, tracking=tracking)


async def _begin(
    update: Update, context: Context, who: Who, number: str, target: Status, tracking: str | None
) -> int:
    _ = who._
    if who.seller_id is None:
        await reply(update, escape(_("Link your account first: send /start with your link code.")))
        return END
    try:
        order = await context.runtime.orders.check(
            who.seller_id, number, target, actor_telegram_id=who.user_id
        )
    except NotAllowed as refusal:
        await reply(update, escape(refusals.not_allowed(refusal.permission, _)))
        return END
    except OrderNotFound:
        await reply(update, escape(refusals.unknown_order(number, _)))
        return END
    except TransitionRefused as refusal:
        await reply(update, escape(refusals.transition(refusal, number, _)))
        return END
    context.user_data["flow"] = {"number": order.number, "target": target.value}
    if target is Status.SHIPPED:
        checklist = _checklist(order, who)
        if not tracking:
            checklist += "\n\n" + shipping_views.ask_tracking(_)
        await reply(update, checklist, keyboards.form_and_cancel(order.number, _))
        if tracking:
            return await take_tracking(update, context, who, order, tracking)
        return TRACKING
    if target is Status.REFUNDED:
        await reply(
            update,
            escape(_("Order {number}: how was the dispute settled?").format(number=number)),
            keyboards.resolution(_),
        )
        return RESOLUTION
    return await ask_comment(update, context, who)


def _checklist(order: Order, who: Who) -> str:
    _ = who._
    deliver_by = datetime.now(UTC) + timedelta(days=int(order.delivery["max_days"]))
    lines = [
        "📋 <b>"
        + escape(_("Before you ship order {number}:").format(number=order.number))
        + "</b>",
        "☐ " + escape(_("warranty card")),
        "☐ " + escape(_("invoice or receipt")),
        "☐ " + escape(_("refund form in English (the button below)")),
        escape(
            _("Ship it with the buyer's choice: {option}.").format(
                option=clip(order.delivery["label"], views.LABEL)
            )
        ),
        escape(
            _("Shipped today, it must arrive by {deadline}.").format(
                deadline=who.reader.when(deliver_by)
            )
        ),
    ]
    return "\n".join(lines)


async def cancel(update: Update, context: Context) -> int:
    """Leave the flow; nothing is changed."""
    who = await identify(update, context)
    await pressed(update)
    context.user_data.pop("flow", None)
    await reply(update, escape(who._("Cancelled. Nothing was changed.")))
    return END


async def stray(update: Update, context: Context) -> int | None:
    """Something that does not answer the question on screen: say what is expected."""
    who = await identify(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(who._("This button belongs to an earlier step."))
        return None
    await reply(update, escape(who._("Please answer the question above, or send /cancel.")))
    return None


def build(
    entry_points: list[BaseHandler[Any, Context, Any]] | None = None,
    tracking_steps: list[BaseHandler[Any, Context, Any]] | None = None,
    after_change: AfterChange | None = None,
) -> ConversationHandler[Context]:
    """The conversation; ``entry_points``, ``tracking_steps`` and ``after_change`` add the
    label photo and the shipping run (:mod:`conversations.shipping`)."""
    text = filters.TEXT & ~filters.COMMAND
    steps = CallbackQueryHandler
    save = functools.partial(confirm, after_change=after_change)
    with warnings.catch_warnings():
        # Tracked per chat and user on purpose: a flow spans buttons and typed answers.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                *(entry_points or []),
                CallbackQueryHandler(
                    start_from_button, pattern=r"^o:(processing|shipped|complete|refunded):"
                ),
                CommandHandler(list(_COMMANDS), start_from_command),
            ],
            states={
                TRACKING: [MessageHandler(text, got_tracking), *(tracking_steps or [])],
                RESOLUTION: [steps(got_resolution, pattern=r"^s:(refund|exchange)$")],
                NOTE: [MessageHandler(text, got_note)],
                COMMENT: [
                    MessageHandler(text, got_comment),
                    steps(skip_comment, pattern=r"^s:skip$"),
                    steps(save, pattern=r"^s:confirm$"),
                ],
                CONFIRM: [steps(save, pattern=r"^s:confirm$")],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                steps(cancel, pattern=r"^s:cancel$"),
                MessageHandler(filters.ALL & ~filters.COMMAND, stray),
                steps(stray, pattern=r"^s:"),
            ],
            allow_reentry=True,
            name="status_change",
            persistent=True,
        )
