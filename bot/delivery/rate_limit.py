"""Telegram's send limits, kept for answers and notifications alike, answers first.

Telegram lets a bot send about 30 messages a second overall and about one a second into a chat,
with a small burst (three in three seconds). Every send waits here for two things:

- its chat: the sends of the last ``burst / per_chat_rate`` seconds must leave room. Queued
  notifications (``urgent=False``) are also paced at ``per_chat_rate`` and leave ``reserve`` of
  the burst free, so an answer to what the seller just did always finds a place in the chat;
- the global timeline: one send every ``1 / global_rate`` seconds, evenly spread (no herd of
  waiters waking at once), handed out to waiting answers before waiting notifications.

A chat that Telegram asked to wait (429 ``retry_after``) is held back; every other chat keeps
its pace. The defaults stay just under Telegram's limits (29/s overall, a chat's burst spread
over 3.3 s rather than 3), leaving room for the jitter of a busy process that could otherwise
bunch arrivals at Telegram into one window.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class ChatRateLimiter:
    def __init__(
        self,
        global_rate: float = 29.0,
        per_chat_rate: float = 0.9,
        *,
        burst: int = 3,
        reserve: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._global_gap = 1.0 / global_rate
        self._chat_gap = 1.0 / per_chat_rate
        self._span = burst / per_chat_rate
        self._burst = burst
        self._reserve = min(reserve, burst - 1)
        self._global_next = 0.0
        #: each chat's recent sends, and the moment a 429 lets it send again
        self._sent: dict[int, deque[float]] = {}
        self._blocked: dict[int, float] = {}
        self._turns: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (
            deque(),
            deque(),
        )
        self._pump: asyncio.Task[None] | None = None

    def _chat_wait(self, chat_id: int, now: float, urgent: bool) -> float:
        """Seconds until the chat has room for one more send of this kind (0: now)."""
        sent = self._sent.get(chat_id)
        wait = self._blocked.get(chat_id, 0.0) - now
        if sent:
            while sent and sent[0] <= now - self._span:
                sent.popleft()
            room = self._burst - (0 if urgent else self._reserve)
            if len(sent) >= room:
                wait = max(wait, sent[len(sent) - room] + self._span - now)
            if not urgent and sent:
                wait = max(wait, sent[-1] + self._chat_gap - now)
        return max(wait, 0.0)

    async def acquire(self, chat_id: int, *, urgent: bool = False) -> None:
        """Wait until a send to this chat keeps every limit, then count it as sent."""
        while True:
            wait = self._chat_wait(chat_id, self._clock(), urgent)
            if wait > 0:
                await self._sleep(wait)
                continue
            await self._global_turn(urgent)
            now = self._clock()
            # The chat may have filled up while this send waited for its global turn.
            if self._chat_wait(chat_id, now, urgent) == 0:
                self._sent.setdefault(chat_id, deque()).append(now)
                if len(self._sent) > 10_000:
                    self._forget_idle(now)
                return

    async def _global_turn(self, urgent: bool) -> None:
        now = self._clock()
        if not any(self._turns) and self._global_next <= now:
            self._global_next = now + self._global_gap
            return
        turn = asyncio.get_running_loop().create_future()
        self._turns[0 if urgent else 1].append(turn)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._hand_out_turns())
        await turn

    async def _hand_out_turns(self) -> None:
        """One waiter a global slot, answers before notifications, until none wait."""
        while any(self._turns):
            wait = self._global_next - self._clock()
            if wait > 0:
                await self._sleep(wait)
            for waiting in self._turns:
                while waiting:
                    turn = waiting.popleft()
                    if not turn.done():
                        turn.set_result(None)
                        self._global_next = max(self._global_next, self._clock()) + (
                            self._global_gap
                        )
                        break
                else:
                    continue
                break

    def _forget_idle(self, now: float) -> None:
        for chat in [c for c, sent in self._sent.items() if not sent or sent[-1] < now - 60]:
            del self._sent[chat]
        for chat in [c for c, until in self._blocked.items() if until < now]:
            del self._blocked[chat]

    def block(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429 for this chat: only this chat waits."""
        until = self._clock() + seconds
        self._blocked[chat_id] = max(self._blocked.get(chat_id, 0.0), until)

    def block_all(self, seconds: float) -> None:
        self._global_next = max(self._global_next, self._clock() + seconds)
