"""The last line of defence: log the error, tell the seller in one line, alert the operators."""

from __future__ import annotations

import html
import logging
import time
import traceback

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError

from bot import metrics
from bot.i18n import pick_locale, translator
from handlers.context import Context
from handlers.who import identify

log = logging.getLogger(__name__)

ADMIN_ALERT_INTERVAL = 60.0


async def on_error(update: object, context: Context) -> None:
    """Log, answer the user without a traceback, and report to ADMIN_CHAT_ID (rate-limited)."""
    error = context.error
    metrics.ERRORS.labels("handler").inc()
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or _unanswerable(error):
        return
    await apologise(update, context, error)
    await report_to_admins(context, error)


def _unanswerable(error: BaseException | None) -> bool:
    """The user blocked the bot, or Telegram is out of reach: nothing can be said now.

    ``BadRequest`` is a ``NetworkError`` too, but it means Telegram refused what the bot sent
    (too long, badly formed): Telegram is there, and the user must hear that something failed.
    """
    if isinstance(error, Forbidden):
        return True
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


async def apologise(update: Update, context: Context, error: BaseException | None) -> None:
    """One translated line for the user; never raises."""
    if update.effective_chat is None:
        return
    user = update.effective_user
    language = user.language_code if user is not None else None
    try:
        _ = (await identify(update, context))._
    except Exception:
        _ = translator(pick_locale(None, language, context.runtime.defaults.locale))
    if isinstance(error, BadRequest):
        text = _("Sorry, I could not show that answer here. The operators have been told.")
    else:
        text = _("Something went wrong and nothing was changed. Please try again.")
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(text, show_alert=True)
            return
        except Exception:  # already answered before the failure: say it in the chat instead
            pass
    try:
        await update.effective_chat.send_message(text)
    except Exception:
        log.warning("could not tell the user about the error")


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
