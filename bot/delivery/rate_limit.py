"""Telegram's send limits, kept per chat: about 30 messages a second overall, one a second per chat.

Each send reserves the next free slot on two timelines, its chat's and the global one, and
sleeps exactly until its slot: sends are spread evenly at the configured rates, with no herd of
waiters waking at once and no idle gaps. A chat that Telegram asked to wait (429 ``retry_after``)
has its own timeline pushed back; every other chat keeps its pace.

The defaults stay just under Telegram's limits (29/s overall, 0.95/s per chat), leaving room
for network jitter that could otherwise bunch arrivals at Telegram into one second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class ChatRateLimiter:
    def __init__(
        self,
        global_rate: float = 29.0,
        per_chat_rate: float = 0.95,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._global_gap = 1.0 / global_rate
        self._chat_gap = 1.0 / per_chat_rate
        self._global_next = 0.0
        self._chat_next: dict[int, float] = {}

    def _reserve_chat(self, chat_id: int, now: float) -> float:
        slot = max(now, self._chat_next.get(chat_id, 0.0))
        self._chat_next[chat_id] = slot + self._chat_gap
        if len(self._chat_next) > 10_000:
            self._forget_idle(now)
        return slot

    def _forget_idle(self, now: float) -> None:
        for chat in [c for c, free_at in self._chat_next.items() if free_at < now]:
            del self._chat_next[chat]

    async def acquire(self, chat_id: int) -> None:
        """Wait for this chat's next slot, then for the next global one."""
        now = self._clock()
        chat_slot = self._reserve_chat(chat_id, now)
        if chat_slot > now:
            await self._sleep(chat_slot - now)
        now = self._clock()
        slot = max(now, self._global_next)
        self._global_next = slot + self._global_gap
        if slot > now:
            await self._sleep(slot - now)

    def block(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429 for this chat: only this chat waits."""
        until = self._clock() + seconds
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), until)

    def block_all(self, seconds: float) -> None:
        self._global_next = max(self._global_next, self._clock() + seconds)
