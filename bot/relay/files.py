"""Checking a relayed file: read it in the scanning pool, cover what it shows, or refuse it.

    checker = FileChecker(ScanPool(workers=2))
    scanned = await checker.check(data)     # raises FileRefused; never returns the original
    scanned.data, scanned.file_type, scanned.covered

Every file that crosses the relay, either way, goes through :meth:`FileChecker.check`: the bytes
are opened in a worker process (:mod:`bot.scanning`), judged by what they really are, and come
back as a new file made of covered pixels. A file the worker cannot finish (too slow, too big
for its memory, a crash) is refused as :attr:`FileRefusal.UNCHECKED`: a file that could not be
checked is never passed on.

One file is scanned once, however many times it is checked: checks of the same bytes (by their
SHA-256) share the scan running for them, and its answer is kept for ``keep_for`` seconds, up to
``keep_bytes`` of covered files (the oldest give way), then let go. So a buyer's photo relayed
to every account of a shop, and a seller's file checked when it is sent and again when it goes
out to the marketplace, cost the worker one job. An ``UNCHECKED`` answer is shared by the checks
waiting for it but not kept: the next try scans again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.domain.files import FileRefusal, FileRefused
from bot.domain.masking import DEFAULT_ALLOWED_DOMAINS
from bot.scanning.jobs import Scanned, scan_file
from bot.scanning.pool import ScanFailed, ScanPool
from bot.scanning.worker import JobError

log = logging.getLogger(__name__)

#: How long a scan's answer is kept: a relay's sends, or a reply waiting for its upload.
KEEP_FOR = 600.0
#: At most this many bytes of covered files are kept in the bot's memory.
KEEP_BYTES = 16 * 1024 * 1024

Outcome = Scanned | FileRefused


@dataclass(frozen=True, slots=True)
class _Kept:
    outcome: Outcome
    until: float

    @property
    def size(self) -> int:
        return len(self.outcome.data) if isinstance(self.outcome, Scanned) else 0


class FileChecker:
    def __init__(
        self,
        pool: ScanPool,
        allowed_domains: Iterable[str] = DEFAULT_ALLOWED_DOMAINS,
        *,
        keep_for: float = KEEP_FOR,
        keep_bytes: int = KEEP_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pool = pool
        self._allowed = tuple(allowed_domains)
        self._keep_for = keep_for
        self._keep_bytes = keep_bytes
        self._clock = clock
        self._running: dict[bytes, asyncio.Future[Outcome]] = {}
        self._kept: OrderedDict[bytes, _Kept] = OrderedDict()
        self._kept_bytes = 0

    async def check(self, data: bytes) -> Scanned:
        """The file rebuilt from covered pixels; raises :class:`FileRefused` with the reason."""
        key = hashlib.sha256(data).digest()
        kept = self._recall(key)
        if kept is None:
            running = self._running.get(key)
            if running is None:
                running = asyncio.ensure_future(self._scan(data))
                self._running[key] = running
                running.add_done_callback(lambda done: self._settle(key, done))
            # Shielded: a check given up (its send cancelled) leaves the scan to the others.
            kept = await asyncio.shield(running)
        if isinstance(kept, FileRefused):
            raise FileRefused(kept.reason, kept.detail)
        return kept

    async def aclose(self) -> None:
        await self.pool.close()

    async def _scan(self, data: bytes) -> Outcome:
        try:
            return await self.pool.run(scan_file, data, self._allowed)
        except FileRefused as refused:
            return refused
        except (ScanFailed, MemoryError, JobError) as exc:
            log.warning("a file could not be checked: %s: %s", type(exc).__name__, exc)
            return FileRefused(FileRefusal.UNCHECKED, type(exc).__name__)

    def _settle(self, key: bytes, done: asyncio.Future[Outcome]) -> None:
        """Keep a finished scan's answer; a failed or cancelled one is forgotten."""
        self._running.pop(key, None)
        if done.cancelled() or done.exception() is not None:
            return
        outcome = done.result()
        if isinstance(outcome, FileRefused) and outcome.reason is FileRefusal.UNCHECKED:
            return
        kept = _Kept(outcome, self._clock() + self._keep_for)
        if kept.size > self._keep_bytes:
            return
        self._kept[key] = kept
        self._kept_bytes += kept.size
        while self._kept_bytes > self._keep_bytes:
            self._forget(next(iter(self._kept)))
        # The memory goes back when the answer expires, even if no other file comes meanwhile.
        asyncio.get_running_loop().call_later(self._keep_for, self._expire)

    def _recall(self, key: bytes) -> Outcome | None:
        self._expire()
        kept = self._kept.get(key)
        return kept.outcome if kept is not None else None

    def _expire(self) -> None:
        """Forget the answers whose time is up (the oldest come first)."""
        now = self._clock()
        while self._kept and next(iter(self._kept.values())).until <= now:
            self._forget(next(iter(self._kept)))

    def _forget(self, key: bytes) -> None:
        self._kept_bytes -= self._kept.pop(key).size
