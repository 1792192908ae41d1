"""One file, one scan: checks of the same bytes share the worker's job and its answer for a while,
within a bound on the bot's memory; a file that could not be checked is tried again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.domain.files import FileRefusal, FileRefused
from bot.relay.files import FileChecker
from bot.scanning.pool import Limits, ScanPool
from testkit.corpora import hostile
from testkit.images import jpeg_with_gps, png_with_text


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def checker(clock: Clock) -> AsyncIterator[FileChecker]:
    files = FileChecker(ScanPool(workers=2), keep_for=60, clock=clock)
    yield files
    await files.aclose()


async def test_checks_of_one_file_at_the_same_time_share_one_scan(checker: FileChecker) -> None:
    photo = jpeg_with_gps()
    answers = await asyncio.gather(*(checker.check(photo) for _ in range(3)))
    assert checker.pool.jobs == 1
    assert len({answer.data for answer in answers}) == 1


async def test_a_file_checked_again_soon_is_not_scanned_again(
    checker: FileChecker, clock: Clock
) -> None:
    photo = jpeg_with_gps()
    first = await checker.check(photo)
    clock.now += 59
    assert await checker.check(photo) == first
    assert checker.pool.jobs == 1
    await checker.check(png_with_text())
    assert checker.pool.jobs == 2, "other bytes are another file"


async def test_a_file_checked_after_its_answer_expired_is_scanned_again(
    checker: FileChecker, clock: Clock
) -> None:
    await checker.check(jpeg_with_gps())
    clock.now += 61
    await checker.check(jpeg_with_gps())
    assert checker.pool.jobs == 2


async def test_a_refusal_is_kept_like_an_answer(checker: FileChecker) -> None:
    for _ in range(2):
        with pytest.raises(FileRefused) as refused:
            await checker.check(hostile.animated_png())
        assert refused.value.reason is FileRefusal.ANIMATED
    assert checker.pool.jobs == 1


async def test_a_file_that_could_not_be_checked_is_scanned_again_next_time() -> None:
    # No worker starts and answers within a hundredth of a second.
    hasty = FileChecker(ScanPool(limits=Limits(time_limit=0.01)))
    try:
        for _ in range(2):
            with pytest.raises(FileRefused) as refused:
                await hasty.check(jpeg_with_gps())
            assert refused.value.reason is FileRefusal.UNCHECKED
        assert hasty.pool.jobs == 2
    finally:
        await hasty.aclose()


async def test_covered_files_beyond_the_memory_bound_are_not_kept() -> None:
    tight = FileChecker(ScanPool(), keep_bytes=100)
    try:
        await tight.check(jpeg_with_gps())
        await tight.check(jpeg_with_gps())
        assert tight.pool.jobs == 2
    finally:
        await tight.aclose()
