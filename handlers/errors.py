"""The last line of defence: log the error, tell the seller in one line, alert the operators."""

from __future__ import annotations

import html
import logging
import time
import traceback

from telegram import Update
from telegram.error import Forbidden, NetworkError

from bot import metrics
from handlers.context import Context
from handlers.who import identify

log = logging.getLogger(__name__)

ADMIN_ALERT_INTERVAL = 60.0


async def on_error(update: object, context: Context) -> None:
    """Log, answer the user without a traceback, and report to ADMIN_CHAT_ID (rate-limited)."""
    error = context.error
    metrics.ERRORS.labels("handler").inc()
    log.error("error while handling an update", exc_info=error)
    if isinstance(error, Forbidden | NetworkError) or not isinstance(update, Update):
        return
    if update.effective_chat is not None:
        try:
            who = await identify(update, context)
            text = who._("Something went wrong and nothing was changed. Please try again.")
        except Exception:
            text = "Something went wrong and nothing was changed. Please try again."
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            else:
                await update.effective_chat.send_message(text)
        except Exception:
            log.warning("could not tell the user about the error")
    await report_to_admins(context, error)


async def report_to_admins(context: Context, error: BaseException | None) -> None:
    """At most one alert a minute to ADMIN_CHAT_ID, with the error's last frames."""
    admin_chat = context.runtime.settings.admin_chat_id
    now = time.monotonic()
    last = context.bot_data.last_admin_alert
    if admin_chat is None or error is None:
        return
    if last is not None and now - last < ADMIN_ALERT_INTERVAL:
        return
    context.bot_data.last_admin_alert = now
    trace = "".join(traceback.format_exception(error, limit=4))[-3000:]
    try:
        await context.bot.send_message(
            admin_chat,
            f"⚠️ <b>{html.escape(type(error).__name__)}</b>\n<pre>{html.escape(trace)}</pre>",
            parse_mode="HTML",
        )
    except Exception:
        log.warning("could not report the error to the operators' chat")
