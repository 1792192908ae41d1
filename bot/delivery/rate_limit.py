"""Telegram's send limits, kept for answers and notifications alike, answers first.

Telegram lets a bot send about 30 messages a second overall and about one a second into a chat,
with a small burst (three in three seconds). Every send waits here for two things:

- its chat: the sends of the last ``burst / per_chat_rate`` seconds must leave room. Queued
  notifications (``urgent=False``) are also paced at ``per_chat_rate`` and leave ``reserve`` of
  the burst free, so an answer to what the seller just did always finds a place in the chat;
- the global timeline: one send every ``1 / global_rate`` seconds, evenly spread (no herd of
  waiters waking at once), handed out to waiting answers before waiting notifications.

Telegram counts a send when it arrives, which is some time after it was started here and before
its answer is back. So a send counts in a window from the moment it starts until a window's
length after its answer came: a send still under way counts in every window. Whatever delays
requests on their way (a busy event loop here, a busy server there) then only slows the sends
that follow, instead of bunching more arrivals into one of Telegram's seconds than it allows
(``global_window`` in any second, ``burst`` in any ``burst / per_chat_rate`` seconds of a chat).
Use :meth:`ChatRateLimiter.sending` around each call, or :meth:`acquire` then :meth:`release`.

A chat that Telegram asked to wait (429 ``retry_after``) is held back; every other chat keeps
its pace. The defaults stay just under Telegram's limits (29/s overall, a chat's burst spread
over 3.3 s rather than 3).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable

#: the longest wait for a send under way to finish before the limits are looked at again
_RECHECK = 0.05


class _Window:
    """Sends that may still count in a window: how many are under way, and when the others'
    answers came."""

    __slots__ = ("answered", "last_start", "under_way")

    def __init__(self) -> None:
        self.under_way = 0
        self.answered: deque[float] = deque()
        self.last_start = float("-inf")

    def counted(self, now: float, span: float) -> int:
        while self.answered and self.answered[0] <= now - span:
            self.answered.popleft()
        return self.under_way + len(self.answered)

    def wait(self, now: float, span: float, room: int) -> float:
        """Seconds until fewer than ``room`` sends count (``_RECHECK`` while only sends under
        way fill it: their answers decide)."""
        over = self.counted(now, span) - room + 1
        if over <= 0:
            return 0.0
        if over > len(self.answered):
            return _RECHECK
        return self.answered[over - 1] + span - now

    def start(self, now: float) -> None:
        self.under_way += 1
        self.last_start = now

    def finish(self, now: float) -> None:
        self.under_way = max(0, self.under_way - 1)
        self.answered.append(now)

    def idle(self, now: float) -> bool:
        return not self.under_way and (not self.answered or self.answered[-1] < now - 60)


class ChatRateLimiter:
    def __init__(
        self,
        global_rate: float = 29.0,
        per_chat_rate: float = 0.9,
        *,
        burst: int = 3,
        reserve: int = 1,
        global_window: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._global_gap = 1.0 / global_rate
        #: sends Telegram takes in any one second: by default one more than the pace
        self._global_room = global_window or int(global_rate) + 1
        self._chat_gap = 1.0 / per_chat_rate
        self._span = burst / per_chat_rate
        self._burst = burst
        self._reserve = min(reserve, burst - 1)
        self._global_next = 0.0
        self._global = _Window()
        #: each chat's recent sends, and the moment a 429 lets it send again
        self._chats: dict[int, _Window] = {}
        self._blocked: dict[int, float] = {}
        self._turns: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (
            deque(),
            deque(),
        )
        self._pump: asyncio.Task[None] | None = None

    def _chat_wait(self, chat_id: int, now: float, urgent: bool) -> float:
        """Seconds until the chat has room for one more send of this kind (0: now)."""
        wait = self._blocked.get(chat_id, 0.0) - now
        chat = self._chats.get(chat_id)
        if chat is not None:
            room = self._burst - (0 if urgent else self._reserve)
            wait = max(wait, chat.wait(now, self._span, room))
            if not urgent:
                wait = max(wait, chat.last_start + self._chat_gap - now)
        return max(wait, 0.0)

    def _global_wait(self, now: float) -> float:
        return max(self._global_next - now, self._global.wait(now, 1.0, self._global_room), 0.0)

    @contextlib.asynccontextmanager
    async def sending(self, chat_id: int, *, urgent: bool = False) -> AsyncIterator[None]:
        """Wait for the send's place, and count it until its answer is back."""
        await self.acquire(chat_id, urgent=urgent)
        try:
            yield
        finally:
            self.release(chat_id)

    async def acquire(self, chat_id: int, *, urgent: bool = False) -> None:
        """Wait until a send to this chat keeps every limit, then count it as under way."""
        while True:
            wait = self._chat_wait(chat_id, self._clock(), urgent)
            if wait > 0:
                await self._sleep(wait)
                continue
            await self._global_turn(urgent)
            now = self._clock()
            # The chat may have filled up while this send waited for its global turn.
            if self._chat_wait(chat_id, now, urgent) == 0:
                # The global place is already counted as under way since its turn.
                self._chats.setdefault(chat_id, _Window()).start(now)
                if len(self._chats) > 10_000:
                    self._forget_idle(now)
                return
            self._global.under_way -= 1  # the turn goes unused: it counts no send

    def release(self, chat_id: int) -> None:
        """The send's answer is back (or it failed): it counts from now on as answered."""
        now = self._clock()
        self._global.finish(now)
        self._chats.setdefault(chat_id, _Window()).finish(now)

    async def _global_turn(self, urgent: bool) -> None:
        """Wait for a place on the global timeline; it counts as under way until the send
        starts (or gives it back)."""
        if not any(self._turns) and self._global_wait(self._clock()) == 0:
            self._take_turn()
            return
        turn = asyncio.get_running_loop().create_future()
        self._turns[0 if urgent else 1].append(turn)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._hand_out_turns())
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._global.under_way -= 1  # given a turn, but gone before using it
            raise

    def _take_turn(self) -> None:
        now = self._clock()
        # A turn taken a little late (a busy loop wakes its waiter late) keeps the timeline's
        # pace instead of losing the delay; after a pause the timeline starts again from now.
        on_time = now - self._global_next < self._global_gap
        self._global_next = (self._global_next if on_time else now) + self._global_gap
        # Held from the turn to the send's start, so no other turn can take its place.
        self._global.under_way += 1

    async def _hand_out_turns(self) -> None:
        """One waiter a global slot, answers before notifications, until none wait."""
        while any(self._turns):
            wait = self._global_wait(self._clock())
            if wait > 0:
                await self._sleep(wait)
                continue
            for waiting in self._turns:
                while waiting:
                    turn = waiting.popleft()
                    if not turn.done():
                        self._take_turn()
                        turn.set_result(None)
                        break
                else:
                    continue
                break

    def _forget_idle(self, now: float) -> None:
        for chat in [c for c, window in self._chats.items() if window.idle(now)]:
            del self._chats[chat]
        for chat in [c for c, until in self._blocked.items() if until < now]:
            del self._blocked[chat]

    def block(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429 for this chat: only this chat waits."""
        until = self._clock() + seconds
        self._blocked[chat_id] = max(self._blocked.get(chat_id, 0.0), until)

    def block_all(self, seconds: float) -> None:
        self._global_next = max(self._global_next, self._clock() + seconds)
