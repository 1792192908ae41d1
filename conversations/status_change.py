"""Guide the seller through one status change, from a button or a one-line command.

PROCESSING and COMPLETE ask for an optional comment; SHIPPED first shows the shipping checklist
and asks for the tracking number (unless the command carried it), typed or as a photo of the
label (:mod:`conversations.shipping`); REFUNDED asks whether money was returned or the item
exchanged, then for the mandatory note. Every flow ends on the manual's "Change Order Status"
confirmation, which the comment question already carries: a seller with nothing to add saves at
once. ``/cancel`` leaves at any step. See status_change.mmd.

The flow's answers live in ``user_data["flow"]`` as plain JSON, so the database-backed
persistence restores a half-finished flow after a restart.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Awaitable, Callable
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
    MAX_COMMENT_LENGTH,
    Resolution,
    Status,
    StatusChange,
    TransitionRefused,
    comment_room,
)
from bot.domain.tracking import TrackingNumber, TrackingRefused, parse_tracking_number
from bot.presentation import keyboards, refusals, views
from bot.presentation import shipping as shipping_views
from bot.presentation.callback_data import Action, ForgedCallback, OrderCallback, Step, decode_step
from bot.presentation.limits import clip
from bot.sync.orders import Notice, OrderNotFound
from bot.team.roles import NotAllowed
from handlers.context import Context
from handlers.who import Who, identify
from storage.models import Order

TRACKING, RESOLUTION, NOTE, COMMENT, CONFIRM = range(5)
END = ConversationHandler.END

#: What comes after "Change Order Status" saved a change: the next state (a shipping run's
#: next order) or END.
AfterChange = Callable[[Update, Context, Who, dict[str, Any]], Awaitable[int]]

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
        checklist = _checklist(order, who)
        if not tracking:
            checklist += "\n\n" + shipping_views.ask_tracking(_)
        await _reply(update, checklist, keyboards.form_and_cancel(order.number, _))
        if tracking:
            return await _take_tracking(update, context, who, order, tracking)
        return TRACKING
    if target is Status.REFUNDED:
        await _reply(
            update,
            escape(_("Order {number}: how was the dispute settled?").format(number=number)),
            keyboards.resolution(_),
        )
        return RESOLUTION
    return await _ask_comment(update, context, who)


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
    return await accept_tracking(update, context, who, parsed)


async def accept_tracking(
    update: Update, context: Context, who: Who, parsed: TrackingNumber
) -> int:
    """Take a checked number, typed or read from the label; one already on another of the
    seller's orders needs a second, explicit confirmation first."""
    flow = context.user_data["flow"]
    if flow.get("sure") != parsed.number and who.seller_id is not None:
        other = await context.runtime.runs.used_on(who.seller_id, flow["number"], parsed.number)
        if other is not None:
            flow["pending"] = {
                "number": parsed.number,
                "carrier": parsed.carrier,
                "name": parsed.carrier_name,
            }
            await _reply(update, *shipping_views.tracking_twice(parsed.number, other, who._))
            return TRACKING
    flow.update(tracking=parsed.number, carrier=parsed.marketplace_carrier)
    flow["carrier_name"] = parsed.carrier_name
    return await _ask_comment(update, context, who)


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


async def _ask_comment(update: Update, context: Context, who: Who) -> int:
    """Ask for the optional comment, showing what "Change Order Status" would save now."""
    _ = who._
    flow = context.user_data["flow"]
    lines = [
        "<b>"
        + escape(
            _("Order {number} → {status}").format(number=flow["number"], status=flow["target"])
        )
        + "</b>"
    ]
    if flow.get("tracking"):
        lines.append(
            escape(
                _("Tracking number {number} ({carrier}) will go into the history comment.").format(
                    number=flow["tracking"], carrier=flow.get("carrier_name") or flow["carrier"]
                )
            )
        )
    lines.append(
        escape(
            _("Add a comment for the Order Status History (recommended), or save the change now.")
        )
    )
    await _reply(update, "\n".join(lines), keyboards.comment_or_confirm(_))
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


async def confirm(update: Update, context: Context, after_change: AfterChange | None = None) -> int:
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
    # The next sensible action stays one button away, also once the marketplace has answered.
    following = (
        None if flow.get("run") else shipping_views.next_action(flow["number"], change.status, _)
    )
    notice = Notice(
        chat_id=who.chat_id,
        message_id=query.message.message_id,
        locale=who.locale,
        markup=following.to_dict() if following else None,
    )
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
        reply_markup=following,
    )
    if after_change is not None:
        return await after_change(update, context, who, flow)
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
