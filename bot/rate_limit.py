"""Telegram's send limits, kept per chat: about 30 messages a second overall, one a second per chat.

Unlike a single global limiter, a chat that Telegram asked to wait (429 ``retry_after``) waits
alone; every other chat keeps its pace. Buckets refill continuously; the global one holds a
single token so sends are spread evenly instead of bursting past the limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    updated: float
    blocked_until: float = 0.0

    def wait_time(self, now: float) -> float:
        """Seconds until a token can be taken; takes it when that is now."""
        if now < self.blocked_until:
            return self.blocked_until - now
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class ChatRateLimiter:
    def __init__(
        self,
        global_rate: float = 29.0,
        per_chat_rate: float = 1.0,
        per_chat_burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._per_chat_rate = per_chat_rate
        self._per_chat_burst = float(per_chat_burst)
        self._global = _Bucket(global_rate, 1.0, 1.0, clock())
        self._chats: dict[int, _Bucket] = {}

    def _chat(self, chat_id: int) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 10_000:
                self._forget_idle()
            bucket = _Bucket(
                self._per_chat_rate, self._per_chat_burst, self._per_chat_burst, self._clock()
            )
            self._chats[chat_id] = bucket
        return bucket

    def _forget_idle(self) -> None:
        now = self._clock()
        idle = [
            chat
            for chat, bucket in self._chats.items()
            if bucket.blocked_until <= now
            and bucket.tokens + (now - bucket.updated) * bucket.rate >= bucket.capacity
        ]
        for chat in idle:
            del self._chats[chat]

    async def _take(self, bucket: _Bucket) -> None:
        while (delay := bucket.wait_time(self._clock())) > 0:
            await self._sleep(delay)

    async def acquire(self, chat_id: int) -> None:
        """Wait for this chat's turn, then for a global slot (never holding one while waiting)."""
        await self._take(self._chat(chat_id))
        await self._take(self._global)

    def block(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429 for this chat: only this chat waits."""
        bucket = self._chat(chat_id)
        bucket.blocked_until = max(bucket.blocked_until, self._clock() + seconds)

    def block_all(self, seconds: float) -> None:
        self._global.blocked_until = max(self._global.blocked_until, self._clock() + seconds)
