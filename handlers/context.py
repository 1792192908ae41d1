"""The typed callback context: handlers reach the runtime as ``context.runtime``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.app import Runtime


class BotData:
    """Application-wide data; never persisted (it holds live clients, not state)."""

    def __init__(self) -> None:
        self.runtime: Runtime | None = None
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
    def runtime(self) -> Runtime:
        runtime = self.bot_data.runtime
        if runtime is None:
            raise RuntimeError("the runtime is attached in post_init, before any update")
        return runtime
