"""The answers inside a status change (:mod:`conversations.status_change`): the tracking
number, refund or exchange, the note or comment, and "Change Order Status", which saves the
change with its marketplace outbox row. The states are drawn in status_change.mmd."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import (
    ConversationHandler,
)

from bot.domain.lifecycle import (
    MAX_COMMENT_LENGTH,
    Resolution,
    Status,
    StatusChange,
    TransitionRefused,
    comment_room,
)
from bot.domain.tracking import TrackingNumber, TrackingRefused, parse_tracking_number
from bot.presentation import keyboards, refusals
from bot.presentation import shipping as shipping_views
from bot.presentation.callback_data import Step, decode_step
from bot.sync.orders import Notice, OrderNotFound
from bot.team.roles import NotAllowed
from handlers.answers import pressed, reply, step_is_over
from handlers.context import Context
from handlers.who import Who, identify, pressing
from storage.models import Order

TRACKING, RESOLUTION, NOTE, COMMENT, CONFIRM = range(5)
END = ConversationHandler.END

#: What comes after "Change Order Status" saved a change: the next state (a shipping run's
#: next order) or END.
AfterChange = Callable[[Update, Context, Who, dict[str, Any]], Awaitable[int]]


async def got_tracking(update: Update, context: Context) -> int:
    """Check the tracking number the seller typed."""
    message = update.effective_message
    assert message is not None and message.text is not None
    who = await identify(update, context)
    flow = context.user_data.get("flow") or {}
    try:
        order = await flow_order(context, who)
    except OrderNotFound:
        await reply(update, escape(refusals.unknown_order(flow["number"], who._)))
        return END
    if order is None:
        return END
    return await take_tracking(update, context, who, order, message.text)


async def flow_order(context: Context, who: Who) -> Order | None:
    """The order of the open flow; None when no flow is open (OrderNotFound when it is gone)."""
    flow = context.user_data.get("flow")
    if not flow or who.seller_id is None:
        return None
    return await context.runtime.orders.find(
        who.seller_id, flow["number"], actor_telegram_id=who.user_id
    )


async def take_tracking(update: Update, context: Context, who: Who, order: Order, raw: str) -> int:
    carrier = order.delivery.get("carrier")
    try:
        parsed = parse_tracking_number(raw, expected_carrier=carrier)
    except TrackingRefused as refusal:
        label = order.delivery.get("label") or carrier or ""
        await reply(update, escape(refusals.tracking(refusal, label, who._)))
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
            await reply(update, *shipping_views.tracking_twice(parsed.number, other, who._))
            return TRACKING
    flow.update(tracking=parsed.number, carrier=parsed.marketplace_carrier)
    flow["carrier_name"] = parsed.carrier_name
    return await ask_comment(update, context, who)


async def got_resolution(update: Update, context: Context) -> int:
    """Remember refund or exchange, then ask for the note."""
    query, who = await pressing(update, context)
    await pressed(update)
    step = decode_step(query.data)
    flow = context.user_data.get("flow")
    if not flow:
        return END
    flow["resolution"] = (Resolution.REFUND if step is Step.REFUND else Resolution.EXCHANGE).value
    await reply(
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
        await reply(update, escape(line.format(length=len(text), limit=room)))
        return NOTE if required else COMMENT
    if required and not text:
        await reply(update, escape(who._("The note is required for REFUNDED.")))
        return NOTE
    flow["comment"] = text or None
    return await _ask_confirm(update, context, who)


async def skip_comment(update: Update, context: Context) -> int:
    """Go on without a comment."""
    who = await identify(update, context)
    await pressed(update)
    flow = context.user_data.get("flow")
    if not flow:
        return END
    flow["comment"] = None
    return await _ask_confirm(update, context, who)


async def ask_comment(update: Update, context: Context, who: Who) -> int:
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
    await reply(update, "\n".join(lines), keyboards.comment_or_confirm(_))
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
    await reply(update, "\n".join(lines), keyboards.confirm(_))
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
        await step_is_over(query, who)
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
