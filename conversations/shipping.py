"""Shipping without typing: the label photo as the tracking number, and the shipping run.

Both are steps of the status-change conversation (:mod:`conversations.status_change`, which
takes them through ``build``), drawn in status_change.mmd:

- In TRACKING, a photo of the label (or an image sent as a file) is read by the label reader;
  the number it finds is offered as "<Carrier> <number> — Use it", with "Type it instead".
  Anything else found, or nothing, gets one line and the step stays open.
- ``/ship`` without a number, or the "Ship next" button, starts a run through the seller's
  PROCESSING orders, the earliest ship-by first: each order's screen asks for the label, then
  the usual "Change Order Status", then the next order comes, until none is left or the seller
  presses "Stop the run". The run lives in ``user_data["flow"]["run"]`` (numbers only, plain
  JSON), so it survives a restart like any flow.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain.files import TELEGRAM_DOWNLOAD_LIMIT
from bot.domain.lifecycle import Status, TransitionRefused
from bot.domain.tracking import CARRIER_NAMES, TrackingNumber
from bot.presentation import shipping as views
from bot.presentation.callback_data import SHIP_RUN
from bot.sync.orders import OrderNotFound
from bot.team.roles import NotAllowed
from conversations.status_steps import END, TRACKING, accept_tracking, flow_order
from handlers.answers import pressed, reply
from handlers.context import Context
from handlers.who import Who, identify

#: What the TRACKING step takes besides text: a photo, or a picture sent as a file.
PICTURE = filters.PHOTO | filters.Document.IMAGE


async def got_label(update: Update, context: Context) -> int:
    """Read the label photo and offer the number that fits the buyer's carrier."""
    message = update.effective_message
    assert message is not None
    who = await identify(update, context)
    try:
        order = await flow_order(context, who)
    except OrderNotFound:
        return END
    if order is None:
        return END
    flow = context.user_data["flow"]
    carrier = order.delivery.get("carrier")
    carrier_name = CARRIER_NAMES.get(carrier or "") or order.delivery.get("label") or ""
    picture = message.photo[-1] if message.photo else message.document
    assert picture is not None
    if picture.file_size and picture.file_size > TELEGRAM_DOWNLOAD_LIMIT:
        await reply(update, views.label_refusal("too_large", None, (), carrier_name, who._))
        return TRACKING
    await message.chat.send_action("typing")
    data = bytes(await (await picture.get_file()).download_as_bytearray())
    reading = await context.runtime.labels.read(data, carrier)
    if reading.offer is None:
        refusal = views.label_refusal(
            reading.outcome.value,
            reading.found,
            reading.other_carriers,
            carrier_name,
            who._,
            reading.unchecked.number if reading.unchecked else None,
        )
        await reply(update, refusal)
        return TRACKING
    offer = reading.offer
    flow["offer"] = {"number": offer.number, "carrier": offer.carrier, "name": offer.carrier_name}
    await reply(update, *views.label_offer(offer, who._))
    return TRACKING


async def use_offer(update: Update, context: Context) -> int | None:
    """Take the number read from the label."""
    return await _take_stored(update, context, "offer")


async def use_again(update: Update, context: Context) -> int | None:
    """Take a number that is already on another order: the seller confirmed it twice."""
    flow = context.user_data.get("flow") or {}
    if flow.get("pending"):
        flow["sure"] = flow["pending"]["number"]
    return await _take_stored(update, context, "pending")


async def _take_stored(update: Update, context: Context, key: str) -> int | None:
    who = await identify(update, context)
    flow = context.user_data.get("flow")
    stored = flow.pop(key, None) if flow else None
    if stored is None or who.seller_id is None:
        assert update.callback_query is not None
        await update.callback_query.answer(who._("This button belongs to an earlier step."))
        return None
    number = TrackingNumber(stored["number"], stored["carrier"], stored["name"])
    return await accept_tracking(update, context, who, number)


async def type_instead(update: Update, context: Context) -> int:
    """Forget what the label gave; wait for a typed number."""
    who = await identify(update, context)
    flow = context.user_data.get("flow") or {}
    flow.pop("offer", None)
    flow.pop("pending", None)
    await pressed(update)
    await reply(update, escape(who._("Send the tracking number of the parcel.")))
    return TRACKING


async def start_run(update: Update, context: Context) -> int:
    """Start a shipping run through the PROCESSING orders (``/ship`` or "Ship next")."""
    await pressed(update)
    who = await identify(update, context)
    if who.seller_id is None:
        await reply(
            update, escape(who._("Link your account first: send /start with your link code."))
        )
        return END
    queue = await context.runtime.runs.queue(who.seller_id)
    await reply(update, views.run_start(len(queue), who._))
    if not queue:
        context.user_data.pop("flow", None)
        return END
    run = {"queue": queue, "total": len(queue), "shipped": 0, "position": 0}
    return await _next_order(update, context, who, run)


async def after_change(update: Update, context: Context, who: Who, flow: dict[str, Any]) -> int:
    """After "Change Order Status": in a run, the next order; otherwise the flow ends."""
    run = flow.get("run")
    if run is None:
        return END
    run["shipped"] += 1
    return await _next_order(update, context, who, run)


async def later(update: Update, context: Context) -> int:
    """Leave this order of the run for later and show the next."""
    who = await identify(update, context)
    flow = context.user_data.get("flow") or {}
    run = flow.get("run")
    if run is None:
        return await _stray_button(update, who)
    await pressed(update)
    return await _next_order(update, context, who, run)


async def stop(update: Update, context: Context) -> int:
    """End the run; what was shipped stays shipped."""
    who = await identify(update, context)
    flow = context.user_data.pop("flow", None) or {}
    run = flow.get("run")
    if run is None:
        return await _stray_button(update, who)
    await pressed(update)
    await reply(update, views.run_end(run["shipped"], run["total"], who._))
    return END


async def _next_order(update: Update, context: Context, who: Who, run: dict[str, Any]) -> int:
    """Show the run's next order that can still be shipped, or how the run ended."""
    assert who.seller_id is not None
    while run["queue"]:
        number = run["queue"].pop(0)
        run["position"] += 1
        try:
            order = await context.runtime.orders.check(
                who.seller_id, number, Status.SHIPPED, actor_telegram_id=who.user_id
            )
        except (OrderNotFound, TransitionRefused, NotAllowed):
            continue  # shipped or changed elsewhere since the run began
        context.user_data["flow"] = {"number": number, "target": Status.SHIPPED.value, "run": run}
        await reply(update, *views.run_order(order, run["position"], run["total"], who.reader))
        return TRACKING
    context.user_data.pop("flow", None)
    await reply(update, views.run_end(run["shipped"], run["total"], who._))
    return END


async def _stray_button(update: Update, who: Who) -> int:
    if update.callback_query is not None:
        await update.callback_query.answer(who._("This button belongs to an earlier step."))
    return TRACKING


def entry_points() -> list[BaseHandler[Any, Context, Any]]:
    """``/ship`` without a number and "Ship next" start a run (before ``/ship <number>``)."""
    return [
        CommandHandler("ship", start_run, has_args=False),
        CallbackQueryHandler(start_run, pattern=f"^{SHIP_RUN}$"),
    ]


def tracking_steps() -> list[BaseHandler[Any, Context, Any]]:
    """What the TRACKING step takes besides a typed number."""
    return [
        MessageHandler(PICTURE, got_label),
        CallbackQueryHandler(use_offer, pattern=r"^s:use$"),
        CallbackQueryHandler(use_again, pattern=r"^s:sure$"),
        CallbackQueryHandler(type_instead, pattern=r"^s:type$"),
        CallbackQueryHandler(later, pattern=r"^s:later$"),
        CallbackQueryHandler(stop, pattern=r"^s:stop$"),
    ]
