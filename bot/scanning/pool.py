"""A pool of worker processes that open untrusted files, with an ``async`` API for the bot.

    pool = ScanPool(workers=2)
    lines = await pool.run(read_lines_job, data)     # any importable function and its arguments
    await pool.close()

Up to ``workers`` jobs run side by side, each in a worker process of its own started with
``forkserver`` (``spawn`` where there is none), never forked from the bot and its event loop;
more wait for a free worker. Every job runs under :class:`Limits`:

- ``time_limit`` seconds per job: a job still running then is killed with its worker and
  :class:`ScanTimedOut` is raised;
- ``memory_bytes`` of address space (``RLIMIT_AS`` in the worker): a job that needs more fails
  with ``MemoryError`` raised here, or kills its worker (:class:`WorkerCrashed`);
- ``max_pixels`` per picture (``Image.MAX_IMAGE_PIXELS``, checked before decoding, see
  :mod:`bot.scanning.pictures`) against decompression bombs.

A job's own exception (a refused file, say) is raised here as it was raised there. A worker that
dies or is killed fails only its own job and is replaced by a new one on the next job; the other
workers go on with theirs, and so does the bot. Workers start on first use and load their OCR
engine lazily, so a bot that never gets a file never pays for one. ``peak_rss_bytes`` is the
highest resident memory any worker has reported (each worker is a process of its own: the
machine holds up to ``workers`` times that), ``jobs`` how many jobs the pool was given.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from bot.domain.files import MAX_IMAGE_PIXELS
from bot.scanning.worker import STARTED, WorkerLimits, serve

T = TypeVar("T")


class ScanFailed(Exception):
    """The worker could not finish the job; the file was not checked."""


class ScanTimedOut(ScanFailed):
    """The job ran past its time limit and its worker was killed."""


class WorkerCrashed(ScanFailed):
    """The worker died during the job (a native crash, or killed for its memory)."""


class _Unsent(WorkerCrashed):
    """The job could not even be handed to the worker."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits of every job: seconds, bytes of address space, pixels per picture."""

    time_limit: float = 30.0
    memory_bytes: int = 2 * 1024**3
    max_pixels: int = MAX_IMAGE_PIXELS


@dataclass(eq=False, slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection
    peak_rss: int = field(default=0)


class ScanPool:
    def __init__(
        self, *, workers: int = 1, limits: Limits | None = None, start_method: str | None = None
    ) -> None:
        self.limits = limits or Limits()
        methods = multiprocessing.get_all_start_methods()
        method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        self._context: Any = multiprocessing.get_context(method)
        #: how many jobs run side by side, each in a worker of its own
        self.size = workers
        self._idle: list[_Worker] = []
        self._slots = asyncio.Semaphore(workers)
        self._all: set[_Worker] = set()
        self._closed = False
        #: the highest resident memory any worker has reported, in bytes
        self.peak_rss_bytes = 0
        #: how many jobs were handed to the pool
        self.jobs = 0

    async def run(
        self, function: Callable[..., T], *args: Any, time_limit: float | None = None
    ) -> T:
        """Run ``function(*args)`` in a worker and return its result, or raise its exception."""
        if self._closed:
            raise ScanFailed("the scanning pool is closed")
        self.jobs += 1
        async with self._slots:
            worker = await self._idle_worker()
            healthy = False
            try:
                try:
                    answer = await self._exchange(worker, function, args, time_limit)
                except _Unsent:
                    # It died after its last job, before this one reached it: start another.
                    await self._stop(worker)
                    worker = await self._start()
                    answer = await self._exchange(worker, function, args, time_limit)
                # A worker that ran out of memory answers, then exits: never reuse it.
                healthy = not isinstance(answer[1], MemoryError)
            finally:
                if healthy and worker.process.is_alive():
                    self._idle.append(worker)
                else:
                    await self._stop(worker)
        status, value, rss = answer
        worker.peak_rss = max(worker.peak_rss, rss)
        self.peak_rss_bytes = max(self.peak_rss_bytes, rss)
        if status == "ok":
            return value
        raise value

    def workers_peak_rss_bytes(self) -> int:
        """The running workers' peak resident memory added up: what the pool holds at most."""
        return sum(worker.peak_rss for worker in self._all)

    async def close(self) -> None:
        """Stop every worker; later jobs fail with :class:`ScanFailed`."""
        self._closed = True
        for worker in list(self._all):
            await self._stop(worker)
        self._idle.clear()

    async def _idle_worker(self) -> _Worker:
        """A waiting worker that is still alive (one may have died while idle), or a new one."""
        while self._idle:
            worker = self._idle.pop()
            if worker.process.is_alive():
                return worker
            await self._stop(worker)
        return await self._start()

    async def _start(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        limits = WorkerLimits(self.limits.memory_bytes, self.limits.max_pixels)
        process = self._context.Process(
            target=serve, args=(child, limits), name="chopni-scan", daemon=True
        )
        await asyncio.to_thread(process.start)
        child.close()
        worker = _Worker(process, parent)
        self._all.add(worker)
        return worker

    async def _exchange(
        self,
        worker: _Worker,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        time_limit: float | None,
    ) -> tuple[str, Any, int]:
        limit = self.limits.time_limit if time_limit is None else time_limit
        try:
            await asyncio.to_thread(worker.conn.send, (function, args))
            await asyncio.wait_for(self._readable(worker.conn), limit)
            started = await asyncio.to_thread(worker.conn.recv)
        except (EOFError, OSError) as exc:
            raise _Unsent from exc
        except TimeoutError:
            raise ScanTimedOut(f"no answer within {limit:g} s") from None
        if started != STARTED:
            raise WorkerCrashed(f"the worker answered {started!r} to a new job")
        try:
            await asyncio.wait_for(self._readable(worker.conn), limit)
            answer: tuple[str, Any, int] = await asyncio.to_thread(worker.conn.recv)
        except TimeoutError:
            raise ScanTimedOut(f"no answer within {limit:g} s") from None
        except (EOFError, OSError) as exc:
            code = worker.process.exitcode
            raise WorkerCrashed(f"the worker died (exit code {code})") from exc
        return answer

    @staticmethod
    async def _readable(conn: Connection) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = conn.fileno()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(fd)

    async def _stop(self, worker: _Worker) -> None:
        self._all.discard(worker)
        with contextlib.suppress(OSError):
            worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        await asyncio.to_thread(worker.process.join, 5)
