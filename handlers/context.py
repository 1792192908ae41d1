"""The typed callback context: handlers reach the bot's services as ``context.runtime``."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext, ExtBot

from handlers.services import Services


class BotData:
    """Application-wide data; never persisted (it holds live clients, not state)."""

    def __init__(self) -> None:
        self.runtime: Services | None = None
        #: when this application last alerted ADMIN_CHAT_ID (time.monotonic())
        self.last_admin_alert: float | None = None


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def user_data(self) -> dict[Any, Any]:
        """This user's data; every update this bot handles comes from a user."""
        data = super().user_data
        if data is None:
            raise RuntimeError("an update without a user has no user_data")
        return data

    @user_data.setter
    def user_data(self, value: object) -> None:
        raise AttributeError("user_data cannot be replaced")

    @property
    def runtime(self) -> Services:
        runtime = self.bot_data.runtime
        if runtime is None:
            raise RuntimeError("the runtime is attached by Runtime.initialize, before any update")
        return runtime
