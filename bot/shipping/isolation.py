"""A worker process for the label reader, until the shared scanning pool takes its place.

:class:`WorkerProcess` runs a function in a separate process started with ``forkserver``
(never forked from the bot's event loop) under an address-space limit, and kills and replaces
that process when a job runs past its time limit. It has the ``run`` of
:class:`bot.shipping.labels.JobRunner`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import resource
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: Address space a worker may use: a 12-megapixel photo in grey, turned, is well within it.
MEMORY_BYTES = 1024**3


class WorkerFailed(Exception):
    """The worker died or ran out of time; the job's picture was not read."""


def _limit(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


class WorkerProcess:
    def __init__(self, *, memory_bytes: int = MEMORY_BYTES, time_limit: float = 10.0) -> None:
        self._memory = memory_bytes
        self._time_limit = time_limit
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None

    def _pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._executor is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            self._executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_limit, initargs=(self._memory,)
            )
        return self._executor

    async def run(
        self, function: Callable[..., T], *args: Any, time_limit: float | None = None
    ) -> T:
        """``function(*args)`` in the worker; its own exception is raised here as it was."""
        future = asyncio.get_running_loop().run_in_executor(self._pool(), function, *args)
        try:
            return await asyncio.wait_for(future, time_limit or self._time_limit)
        except TimeoutError:
            self._kill()
            raise WorkerFailed("the worker ran out of time") from None
        except concurrent.futures.process.BrokenProcessPool:
            self._kill()
            raise WorkerFailed("the worker died") from None

    def _kill(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            for process in list(getattr(executor, "_processes", {}).values()):
                process.kill()
            executor.shutdown(wait=False, cancel_futures=True)

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, True, cancel_futures=True)
