"""PTB's Application as the bot runs it: the Bot API client, the typed context, updates handled
in parallel across chats and in order within one, the database-backed persistence, and one
pacer of Telegram's limits shared by answers and notifications (answers first).

Built by the composition root (:class:`bot.app.Runtime`), which registers the handlers.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.ext import Defaults as TelegramDefaults
from telegram.request import HTTPXRequest

from bot.delivery.answers_first import AnswersFirst
from bot.delivery.persistence import DatabasePersistence
from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.update_processor import PerChatUpdateProcessor
from bot.settings import Settings
from handlers.context import BotData, Context
from storage.database import Database

#: Bot API calls in flight at once. httpcore checks every idle connection of the pool on each
#: request, so PTB's default of 256 costs CPU on every call once a burst has opened them all;
#: 16 carry far more than Telegram lets a bot send (python -m bench.updates measures it).
TELEGRAM_CONNECTIONS = 16


def telegram_request() -> HTTPXRequest:
    """The HTTP client for Bot API calls other than getUpdates."""
    # A burst queues for a connection rather than failing after PTB's one-second pool timeout.
    return HTTPXRequest(connection_pool_size=TELEGRAM_CONNECTIONS, pool_timeout=10.0)


def build_application(
    settings: Settings, token: str, db: Database, limiter: ChatRateLimiter
) -> Application:
    """The Application, without an updater when Telegram pushes updates to a webhook."""
    api = settings.telegram_api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .request(telegram_request())
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .concurrent_updates(PerChatUpdateProcessor(256))
        .persistence(DatabasePersistence(db))
        # Answers and notifications share one pacer of Telegram's limits, answers first.
        .rate_limiter(AnswersFirst(limiter))
        .defaults(TelegramDefaults(tzinfo=ZoneInfo(settings.default_timezone)))
    )
    if settings.telegram_webhook_url:
        builder = builder.updater(None)
    return builder.build()
