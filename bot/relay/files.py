"""Checking a relayed file: read it in the scanning pool, cover what it shows, or refuse it.

    checker = FileChecker(ScanPool(workers=1))
    scanned = await checker.check(data)     # raises FileRefused; never returns the original
    scanned.data, scanned.file_type, scanned.covered

Every file that crosses the relay, either way, goes through :meth:`FileChecker.check`: the bytes
are opened in a worker process (:mod:`bot.scanning`), judged by what they really are, and come
back as a new file made of covered pixels. A file the worker cannot finish (too slow, too big
for its memory, a crash) is refused as :attr:`FileRefusal.UNCHECKED`: a file that could not be
checked is never passed on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.domain.files import FileRefusal, FileRefused
from bot.domain.masking import DEFAULT_ALLOWED_DOMAINS
from bot.scanning.jobs import Scanned, scan_file
from bot.scanning.pool import ScanFailed, ScanPool
from bot.scanning.worker import JobError

log = logging.getLogger(__name__)


class FileChecker:
    def __init__(
        self, pool: ScanPool, allowed_domains: Iterable[str] = DEFAULT_ALLOWED_DOMAINS
    ) -> None:
        self.pool = pool
        self._allowed = tuple(allowed_domains)

    async def check(self, data: bytes) -> Scanned:
        """The file rebuilt from covered pixels; raises :class:`FileRefused` with the reason."""
        try:
            return await self.pool.run(scan_file, data, self._allowed)
        except FileRefused:
            raise
        except (ScanFailed, MemoryError, JobError) as exc:
            log.warning("a file could not be checked: %s: %s", type(exc).__name__, exc)
            raise FileRefused(FileRefusal.UNCHECKED, type(exc).__name__) from exc

    async def aclose(self) -> None:
        await self.pool.close()
