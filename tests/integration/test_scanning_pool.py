"""The scanning pool: jobs run in another process, within time and memory limits, and a worker
that dies or hangs fails its job, not the bot."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import pytest

from bot.domain.files import FileRefusal, FileRefused
from bot.scanning.pool import Limits, ScanPool, ScanTimedOut, WorkerCrashed


def _pid() -> int:
    return os.getpid()


def _refuse() -> None:
    raise FileRefused(FileRefusal.ENCRYPTED, "locked")


def _hang() -> None:
    time.sleep(60)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _hog() -> int:
    return len(bytearray(1024**3))


@pytest.fixture
async def pool() -> AsyncIterator[ScanPool]:
    scan_pool = ScanPool(workers=1, limits=Limits(time_limit=10, memory_bytes=512 * 1024**2))
    yield scan_pool
    await scan_pool.close()


async def test_a_job_runs_in_another_process(pool: ScanPool) -> None:
    assert await pool.run(_pid) != os.getpid()


async def test_the_same_worker_serves_the_next_job(pool: ScanPool) -> None:
    assert await pool.run(_pid) == await pool.run(_pid)


async def test_a_refusal_raised_in_the_worker_is_raised_as_itself(pool: ScanPool) -> None:
    with pytest.raises(FileRefused) as raised:
        await pool.run(_refuse)
    assert raised.value.reason is FileRefusal.ENCRYPTED
    assert raised.value.detail == "locked"


async def test_a_job_past_its_time_limit_fails_and_its_worker_is_replaced(pool: ScanPool) -> None:
    first = await pool.run(_pid)
    with pytest.raises(ScanTimedOut):
        await pool.run(_hang, time_limit=0.5)
    second = await pool.run(_pid)
    assert second != first


async def test_a_worker_that_dies_fails_its_job_and_is_replaced(pool: ScanPool) -> None:
    with pytest.raises(WorkerCrashed):
        await pool.run(_die)
    assert await pool.run(_pid) != os.getpid()


async def test_a_worker_that_died_while_idle_is_replaced_before_the_next_job(
    pool: ScanPool,
) -> None:
    first = await pool.run(_pid)
    os.kill(first, signal.SIGKILL)
    assert await pool.run(_pid) not in (first, os.getpid())


async def test_a_job_over_the_memory_limit_fails_and_the_pool_goes_on(pool: ScanPool) -> None:
    with pytest.raises(MemoryError):
        await pool.run(_hog)
    assert await pool.run(_pid) != os.getpid()
    assert 0 < pool.peak_rss_bytes < 512 * 1024**2


def test_the_bot_never_imports_the_ocr_libraries() -> None:
    probe = (
        "import sys, bot.app, bot.scanning.pool, bot.scanning.jobs; "
        "print(sorted(m for m in ('onnxruntime', 'cv2', 'rapidocr', 'numpy', "
        "'tesserocr', 'zxingcpp', 'pypdfium2') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
