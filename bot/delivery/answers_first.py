"""Every Bot API call the handlers make goes through the limits the outbox keeps, ahead of it.

PTB hands each request of the application's bot to its rate limiter. An answer to what the
seller just did (a button, a command, a flow step) takes the next free place in the shared
:class:`~bot.delivery.rate_limit.ChatRateLimiter` as an urgent send, so it is not queued behind a
burst of notifications, and the per-chat and global limits still hold for both. The outbox's
sender has already waited for its place and marks its calls ``PACED``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.ext import BaseRateLimiter

from bot.delivery.rate_limit import ChatRateLimiter

#: ``rate_limit_args`` of a call whose place was taken before it (the outbox's sends)
PACED: dict[str, Any] = {"paced": True}

#: Bot API methods besides ``send*`` that Telegram's limits count: a new message in a chat, or
#: a message changed in place (a button's answer that edits its message counts like a send)
_SENDS_ALSO = {"copymessage", "copymessages", "forwardmessage", "forwardmessages"}


def counts_as_send(endpoint: str) -> bool:
    name = endpoint.lower()
    return (
        (name.startswith("send") and name != "sendchataction")
        or name.startswith("editmessage")
        or name in _SENDS_ALSO
    )


class AnswersFirst(BaseRateLimiter[dict[str, Any]]):
    __slots__ = ("_limiter",)

    def __init__(self, limiter: ChatRateLimiter) -> None:
        self._limiter = limiter

    async def initialize(self) -> None:
        """Nothing to set up: the limiter is shared with the outbox."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = None
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        paced = bool(rate_limit_args and rate_limit_args.get("paced"))
        if not paced and chat_id is not None and counts_as_send(endpoint):
            async with self._limiter.sending(chat_id, urgent=True):
                return await callback(*args, **kwargs)
        return await callback(*args, **kwargs)
