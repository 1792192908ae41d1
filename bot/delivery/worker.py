"""The shape every delivery loop shares: work while there is work, then sleep until woken.

The inbox processor and both outboxes each do rounds of work; after an empty round they wait
for a nudge (a commit that queued something), for the stop signal, or for ``idle`` seconds,
whichever comes first, so nothing due is ever left waiting longer than ``idle``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot import metrics

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, name: str, round_of_work: Callable[[], Awaitable[int]]) -> None:
        self.name = name
        self._round = round_of_work
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event, idle: float) -> None:
        while not stop.is_set():
            try:
                done = await self._round()
            except Exception:
                log.exception("%s: a round of work failed", self.name)
                metrics.ERRORS.labels(self.name).inc()
                done = 0
            if done:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
