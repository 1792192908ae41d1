"""The worker process's side of :mod:`bot.scanning.pool`: limits first, then a loop of jobs.

A worker is started by ``multiprocessing`` with the ``forkserver`` (or ``spawn``) method and
runs :func:`serve`. Before it reads any untrusted byte it caps its own address space
(``RLIMIT_AS``), keeps numerical libraries to one thread each (the machine's cores are shared
with the bot) and sets Pillow's pixel limit. Then it answers one job at a time: a job is an
importable function and its arguments; the worker says :data:`STARTED` when it has it, then
answers ``("ok", result, peak_rss)`` or
``("error", exc, peak_rss)``, the peak resident memory in bytes. An exception that cannot be
pickled comes back as a :class:`JobError` with its text.
"""

from __future__ import annotations

import os
import pickle
import resource
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

#: Numerical libraries read these when they are first imported; one thread per worker.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


#: Sent back as soon as a job is received, before it runs.
STARTED = "started"


@dataclass(frozen=True, slots=True)
class WorkerLimits:
    """What one worker may use: address space in bytes, and pixels per decoded picture."""

    memory_bytes: int
    max_pixels: int


class JobError(Exception):
    """An error raised by a job that could not travel back as itself."""


def serve(conn: Connection, limits: WorkerLimits) -> None:
    """Apply the limits, then run jobs from ``conn`` until it closes."""
    apply_limits(limits)
    while True:
        try:
            job: tuple[Callable[..., Any], tuple[Any, ...]] = conn.recv()
            # Says the job arrived: a worker gone before this never had it, so it can go to another.
            conn.send(STARTED)
        except (EOFError, OSError):
            return
        function, args = job
        try:
            status, value = "ok", function(*args)
        except MemoryError:
            # The heap may be in pieces: answer, then let the pool start a fresh worker.
            failure = MemoryError("the file needs more memory than a worker has")
            conn.send(("error", failure, peak_rss()))
            return
        except Exception as exc:
            status, value = "error", _portable(exc)
        conn.send((status, value, peak_rss()))


def peak_rss() -> int:
    """This process's peak resident memory in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def apply_limits(limits: WorkerLimits) -> None:
    """Cap this process: memory, threads, pixels."""
    for name in _THREAD_VARIABLES:
        os.environ[name] = "1"
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = limits.max_pixels


def _portable(exc: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return JobError(f"{type(exc).__name__}: {exc}")
    return exc
