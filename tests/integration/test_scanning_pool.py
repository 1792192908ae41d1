"""The scanning pool: jobs run in other processes, side by side up to the pool's size, within
time and memory limits, and a worker that dies or hangs fails its own job, not the bot's or the
other workers'."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.files import FileRefusal, FileRefused
from bot.scanning.pool import Limits, ScanPool, ScanTimedOut, WorkerCrashed
from bot.settings import SettingsError, load_settings


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


def _meet(place: Path, me: str, other: str) -> int:
    """Leave a mark, wait for the other job's, and answer this worker's pid: two jobs that can
    only both finish if they run at the same time."""
    (place / me).touch()
    deadline = time.monotonic() + 20
    while not (place / other).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{other} never ran beside {me}")
        time.sleep(0.01)
    return os.getpid()


def _mark_and_die(place: Path, me: str) -> None:
    (place / me).touch()
    os.kill(os.getpid(), signal.SIGKILL)


def _mark_and_hang(place: Path, me: str) -> None:
    (place / me).touch()
    time.sleep(60)


@pytest.fixture
async def pool() -> AsyncIterator[ScanPool]:
    scan_pool = ScanPool(workers=1, limits=Limits(time_limit=10, memory_bytes=512 * 1024**2))
    yield scan_pool
    await scan_pool.close()


@pytest.fixture
async def pair() -> AsyncIterator[ScanPool]:
    scan_pool = ScanPool(workers=2, limits=Limits(time_limit=30, memory_bytes=512 * 1024**2))
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


async def test_two_workers_run_two_jobs_side_by_side(pair: ScanPool, tmp_path: Path) -> None:
    pids = await asyncio.gather(
        pair.run(_meet, tmp_path, "a", "b"), pair.run(_meet, tmp_path, "b", "a")
    )
    assert len(set(pids)) == 2
    assert os.getpid() not in pids


async def test_one_worker_runs_one_job_at_a_time(tmp_path: Path) -> None:
    single = ScanPool(workers=1, limits=Limits(time_limit=3))
    try:
        with pytest.raises((ScanTimedOut, TimeoutError)):
            await asyncio.gather(
                single.run(_meet, tmp_path, "a", "b"), single.run(_meet, tmp_path, "b", "a")
            )
    finally:
        await single.close()


async def test_a_worker_that_dies_fails_only_its_own_job(pair: ScanPool, tmp_path: Path) -> None:
    survivor, crashed = await asyncio.gather(
        pair.run(_meet, tmp_path, "a", "b"),
        pair.run(_mark_and_die, tmp_path, "b"),
        return_exceptions=True,
    )
    assert isinstance(crashed, WorkerCrashed)
    assert isinstance(survivor, int)
    after = await asyncio.gather(
        pair.run(_meet, tmp_path, "c", "d"), pair.run(_meet, tmp_path, "d", "c")
    )
    assert survivor in after, "the worker beside the crash goes on"
    assert len(set(after)) == 2, "the dead one is replaced"


async def test_a_worker_past_its_time_limit_is_replaced_while_the_other_goes_on(
    pair: ScanPool, tmp_path: Path
) -> None:
    survivor, hung = await asyncio.gather(
        pair.run(_meet, tmp_path, "a", "b"),
        pair.run(_mark_and_hang, tmp_path, "b", time_limit=1),
        return_exceptions=True,
    )
    assert isinstance(hung, ScanTimedOut)
    assert isinstance(survivor, int)
    after = await asyncio.gather(
        pair.run(_meet, tmp_path, "c", "d"), pair.run(_meet, tmp_path, "d", "c")
    )
    assert survivor in after
    assert len(set(after)) == 2


def test_the_relay_has_as_many_workers_as_scan_workers_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SCAN_WORKERS", raising=False)
    assert load_settings(scan_workers=3).scan_pool_size == 3
    assert load_settings().scan_pool_size == min(2, os.cpu_count() or 1)
    with pytest.raises(SettingsError, match="SCAN_WORKERS"):
        load_settings(scan_workers=0)


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
