"""Guide the seller through one status change, from a button or a one-line command.

PROCESSING and COMPLETE ask for an optional comment; SHIPPED first shows the shipping checklist
and asks for the tracking number (unless the command carried it); REFUNDED asks whether money was
returned or the item exchanged, then for the mandatory note. Every flow ends on the manual's
"Change Order Status" confirmation. ``/cancel`` leaves at any step. See status_change.mmd.

The flow's answers live in ``user_data["flow"]`` as plain JSON, so the database-backed
persistence restores a half-finished flow after a restart.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.identifiers import ORDER_NUMBER_PATTERN
from bot.domain.lifecycle import (
    MAX_COMMENT_LENGTH,
    Resolution,
    Status,
    StatusChange,
    TransitionRefused,
    comment_room,
)
from bot.domain.tracking import TrackingRefused, parse_tracking_number
from bot.presentation import keyboards, refusals, views
from bot.presentation.callback_data import Action, ForgedCallback, OrderCallback, Step, decode_step
from bot.presentation.limits import clip
from bot.sync.orders import Notice, OrderNotFound
from bot.team.roles import NotAllowed
from handlers.context import Context
from handlers.who import Who, identify
from storage.models import Order

TRACKING, RESOLUTION, NOTE, COMMENT, CONFIRM = range(5)
END = ConversationHandler.END

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


async def _pressed(update: Update) -> None:
    """Acknowledge the button press, once: Telegram refuses a second answer to one press."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def _reply(update: Update, text: str, markup: Any = None) -> None:
    """Say something in the chat the update came from (a button press or a message)."""
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text, parse_mode="HTML", reply_markup=markup)


async def start_from_button(update: Update, context: Context) -> int:
    """Open the flow that the pressed status button names."""
    query = update.callback_query
    assert query is not None
    who = await identify(update, context)
    try:
        data = OrderCallback.decode(query.data)
    except ForgedCallback:
        await query.answer(who._("This button is no longer valid."), show_alert=True)
        return END
    await _pressed(update)
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
        await _reply(update, escape(who._("Which order? For example: {usage}").format(usage=usage)))
        return END
    if not re.match(ORDER_NUMBER_PATTERN, args[0]):
        await _reply(update, escape(refusals.bad_number(who._)))
        return END
    tracking = " ".join(args[1:]) if target is Status.SHIPPED and len(args) > 1 else None
    return await _begin(update, context, who, args[0], target, tracking=tracking)


async def _begin(
    update: Update, context: Context, who: Who, number: str, target: Status, tracking: str | None
) -> int:
    _ = who._
    if who.seller_id is None:
        await _reply(update, escape(_("Link your account first: send /start with your link code.")))
        return END
    try:
        order = await context.runtime.orders.check(
            who.seller_id, number, target, actor_telegram_id=who.user_id
        )
    except NotAllowed as refusal:
        await _reply(update, escape(refusals.not_allowed(refusal.permission, _)))
        return END
    except OrderNotFound:
        await _reply(update, escape(refusals.unknown_order(number, _)))
        return END
    except TransitionRefused as refusal:
        await _reply(update, escape(refusals.transition(refusal, number, _)))
        return END
    context.user_data["flow"] = {"number": order.number, "target": target.value}
    if target is Status.SHIPPED:
        await _reply(update, _checklist(order, who), keyboards.form_and_cancel(order.number, _))
        if tracking:
            return await _take_tracking(update, context, who, order, tracking)
        await _reply(update, escape(_("Send the tracking number of the parcel.")))
        return TRACKING
    if target is Status.REFUNDED:
        await _reply(
            update,
            escape(_("Order {number}: how was the dispute settled?").format(number=number)),
            keyboards.resolution(_),
        )
        return RESOLUTION
    return await _ask_comment(update, who)


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


async def got_tracking(update: Update, context: Context) -> int:
    """Check the tracking number the seller typed."""
    message = update.effective_message
    assert message is not None and message.text is not None
    who = await identify(update, context)
    flow = context.user_data.get("flow")
    if not flow or who.seller_id is None:
        return END
    try:
        order = await context.runtime.orders.find(
            who.seller_id, flow["number"], actor_telegram_id=who.user_id
        )
    except OrderNotFound:
        await _reply(update, escape(refusals.unknown_order(flow["number"], who._)))
        return END
    return await _take_tracking(update, context, who, order, message.text)


async def _take_tracking(update: Update, context: Context, who: Who, order: Order, raw: str) -> int:
    carrier = order.delivery.get("carrier")
    try:
        parsed = parse_tracking_number(raw, expected_carrier=carrier)
    except TrackingRefused as refusal:
        label = order.delivery.get("label") or carrier or ""
        await _reply(update, escape(refusals.tracking(refusal, label, who._)))
        return TRACKING
    context.user_data["flow"].update(tracking=parsed.number, carrier=parsed.marketplace_carrier)
    await _reply(
        update,
        escape(
            who._("Tracking number {number} ({carrier}) will go into the history comment.").format(
                number=parsed.number, carrier=parsed.carrier_name
            )
        ),
    )
    return await _ask_comment(update, who)


async def got_resolution(update: Update, context: Context) -> int:
    """Remember refund or exchange, then ask for the note."""
    query = update.callback_query
    assert query is not None
    who = await identify(update, context)
    await _pressed(update)
    step = decode_step(query.data)
    flow = context.user_data.get("flow")
    if not flow:
        return END
    flow["resolution"] = (Resolution.REFUND if step is Step.REFUND else Resolution.EXCHANGE).value
    await _reply(
        update,
        escape(
            who._(
                "Write the note for the history: what was agreed and what was done "
                "(it is required)."
            )
        ),
        keyboards.cancel_only(who._),
    )
    return NOTE


async def got_note(update: Update, context: Context) -> int:
    """Take the mandatory REFUNDED note."""
    return await _take_comment(update, context, required=True)


async def got_comment(update: Update, context: Context) -> int:
    """Take the optional comment."""
    return await _take_comment(update, context, required=False)


async def _take_comment(update: Update, context: Context, *, required: bool) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    who = await identify(update, context)
    flow = context.user_data.get("flow")
    if not flow:
        return END
    text = message.text.strip()
    # The limit is on the history comment as it is sent: SHIPPED puts its tracking line first.
    room = comment_room(Status(flow["target"]), flow.get("tracking"), flow.get("carrier"))
    if flow.get("tracking") and flow["tracking"] in text:
        room = MAX_COMMENT_LENGTH
    if len(text) > room:
        if room < MAX_COMMENT_LENGTH:
            line = who._(
                "That is {length} characters; with the tracking number line in front, "
                "a comment holds at most {limit}. Shorten it and send it again."
            )
        else:
            line = who._("That is {length} characters; a comment holds at most {limit}.")
        await _reply(update, escape(line.format(length=len(text), limit=room)))
        return NOTE if required else COMMENT
    if required and not text:
        await _reply(update, escape(who._("The note is required for REFUNDED.")))
        return NOTE
    flow["comment"] = text or None
    return await _ask_confirm(update, context, who)


async def skip_comment(update: Update, context: Context) -> int:
    """Go on without a comment."""
    who = await identify(update, context)
    await _pressed(update)
    flow = context.user_data.get("flow")
    if not flow:
        return END
    flow["comment"] = None
    return await _ask_confirm(update, context, who)


async def _ask_comment(update: Update, who: Who) -> int:
    await _reply(
        update,
        escape(who._("Add a comment for the Order Status History (recommended), or skip.")),
        keyboards.skip(who._),
    )
    return COMMENT


def _change(flow: dict[str, Any]) -> StatusChange:
    return StatusChange(
        status=Status(flow["target"]),
        comment=flow.get("comment"),
        tracking_number=flow.get("tracking"),
        carrier=flow.get("carrier"),
        resolution=Resolution(flow["resolution"]) if flow.get("resolution") else None,
    )


async def _ask_confirm(update: Update, context: Context, who: Who) -> int:
    _ = who._
    flow = context.user_data["flow"]
    change = _change(flow)
    lines = [
        "<b>"
        + escape(
            _("Order {number} → {status}").format(number=flow["number"], status=change.status.value)
        )
        + "</b>"
    ]
    if change.resolution is not None:
        kind = (
            _("money returned") if change.resolution is Resolution.REFUND else _("item exchanged")
        )
        lines.append(escape(_("Settled by: {kind}").format(kind=kind)))
    comment = change.history_comment()
    lines.append(escape(_("Comment: {comment}").format(comment=comment or "—")))
    await _reply(update, "\n".join(lines), keyboards.confirm(_))
    return CONFIRM


async def confirm(update: Update, context: Context) -> int:
    """Save the change ("Change Order Status") and queue it for the marketplace."""
    query = update.callback_query
    assert query is not None and query.message is not None
    who = await identify(update, context)
    _ = who._
    # The flow is kept until the change is saved or refused: a failure in between leaves the
    # seller on this step, where "Change Order Status" can be pressed again.
    flow = context.user_data.get("flow")
    if not flow or who.seller_id is None:
        await query.answer(_("This step is over. Open the order again."), show_alert=True)
        return END
    await query.answer()
    change = _change(flow)
    notice = Notice(chat_id=who.chat_id, message_id=query.message.message_id, locale=who.locale)
    try:
        await context.runtime.orders.change_status(
            who.seller_id, flow["number"], change, actor_telegram_id=who.user_id, notice=notice
        )
    except NotAllowed as refusal:
        context.user_data.pop("flow", None)
        await query.edit_message_text(escape(refusals.not_allowed(refusal.permission, _)))
        return END
    except OrderNotFound:
        context.user_data.pop("flow", None)
        await query.edit_message_text(escape(refusals.unknown_order(flow["number"], _)))
        return END
    except TransitionRefused as refusal:
        context.user_data.pop("flow", None)
        await query.edit_message_text(escape(refusals.transition(refusal, flow["number"], _)))
        return END
    context.user_data.pop("flow", None)
    await query.edit_message_text(
        escape(
            _("⏳ Saved: order {number} → {status}. Sending it to the marketplace…").format(
                number=flow["number"], status=change.status.value
            )
        ),
        parse_mode="HTML",
    )
    return END


async def cancel(update: Update, context: Context) -> int:
    """Leave the flow; nothing is changed."""
    who = await identify(update, context)
    await _pressed(update)
    context.user_data.pop("flow", None)
    await _reply(update, escape(who._("Cancelled. Nothing was changed.")))
    return END


async def stray(update: Update, context: Context) -> int | None:
    """Something that does not answer the question on screen: say what is expected."""
    who = await identify(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(who._("This button belongs to an earlier step."))
        return None
    await _reply(update, escape(who._("Please answer the question above, or send /cancel.")))
    return None


def build() -> ConversationHandler[Context]:
    text = filters.TEXT & ~filters.COMMAND
    steps = CallbackQueryHandler
    with warnings.catch_warnings():
        # Tracked per chat and user on purpose: a flow spans buttons and typed answers.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CallbackQueryHandler(
                    start_from_button, pattern=r"^o:(processing|shipped|complete|refunded):"
                ),
                CommandHandler(list(_COMMANDS), start_from_command),
            ],
            states={
                TRACKING: [MessageHandler(text, got_tracking)],
                RESOLUTION: [steps(got_resolution, pattern=r"^s:(refund|exchange)$")],
                NOTE: [MessageHandler(text, got_note)],
                COMMENT: [
                    MessageHandler(text, got_comment),
                    steps(skip_comment, pattern=r"^s:skip$"),
                ],
                CONFIRM: [steps(confirm, pattern=r"^s:confirm$")],
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
