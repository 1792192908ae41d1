"""Updates from different chats are handled at once; updates of one chat strictly in order, and
ahead of background work.

PTB's default processes everything one by one (one slow seller holds up all the others), and its
simple concurrent processor loses the order within a chat, which conversation flows need.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from storage.database import urgent_writes


def chat_key(update: object) -> int | str:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return f"user:{update.effective_user.id}"
    return "other"


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | str, asyncio.Lock] = {}
        self._waiting: dict[int | str, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Tasks reach this point in arrival order (PTB starts one per update, and the shared
        # semaphore and asyncio.Lock are both first come, first served), so a FIFO lock per chat
        # keeps each chat's updates in order while other chats run alongside.
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                # A seller waits on every update: its writes go before background work's.
                with urgent_writes():
                    await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
