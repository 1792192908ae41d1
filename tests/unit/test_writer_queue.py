"""The process's SQLite writers take turns: first come first served, urgent writers first."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from storage.database import Database, WriterQueue, urgent_writes


async def _writer(queue: WriterQueue, name: str, log: list[str], *, urgent: bool = False) -> None:
    async with queue.turn(urgent=urgent):
        log.append(name)
        await asyncio.sleep(0)


async def test_one_writer_at_a_time_in_the_order_they_came() -> None:
    queue, log = WriterQueue(), []
    inside = 0

    async def counted(name: str) -> None:
        nonlocal inside
        async with queue.turn():
            inside += 1
            assert inside == 1
            log.append(name)
            await asyncio.sleep(0.001)
            inside -= 1

    await asyncio.gather(*(counted(f"w{n}") for n in range(5)))
    assert log == ["w0", "w1", "w2", "w3", "w4"]


async def test_an_urgent_writer_goes_before_those_already_waiting_but_after_the_one_writing() -> (
    None
):
    queue, log = WriterQueue(), []
    release = asyncio.Event()

    async def first() -> None:
        async with queue.turn():
            log.append("first")
            await release.wait()

    holder = asyncio.create_task(first())
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(_writer(queue, f"background{n}", log)) for n in range(3)]
    await asyncio.sleep(0)
    urgent = asyncio.create_task(_writer(queue, "webhook", log, urgent=True))
    await asyncio.sleep(0)
    assert log == ["first"]
    release.set()
    await asyncio.gather(holder, urgent, *waiting)
    assert log == ["first", "webhook", "background0", "background1", "background2"]


async def test_a_cancelled_waiter_neither_writes_nor_blocks_the_next() -> None:
    queue, log = WriterQueue(), []
    release = asyncio.Event()

    async def first() -> None:
        async with queue.turn():
            await release.wait()

    holder = asyncio.create_task(first())
    await asyncio.sleep(0)
    doomed = asyncio.create_task(_writer(queue, "doomed", log))
    after = asyncio.create_task(_writer(queue, "after", log))
    await asyncio.sleep(0)
    doomed.cancel()
    release.set()
    await asyncio.gather(holder, after)
    assert doomed.cancelled()
    assert log == ["after"]
    await asyncio.wait_for(_writer(queue, "later", log), 1)  # the queue is free again


async def test_a_waiter_cancelled_just_as_its_turn_came_passes_the_turn_on() -> None:
    queue, log = WriterQueue(), []
    doomed: asyncio.Task[None] | None = None

    async def first() -> None:
        async with queue.turn():
            await asyncio.sleep(0.01)
        assert doomed is not None
        doomed.cancel()  # its turn was handed over a moment ago; it has not run since

    holder = asyncio.create_task(first())
    await asyncio.sleep(0)
    doomed = asyncio.create_task(_writer(queue, "doomed", log))
    after = asyncio.create_task(_writer(queue, "after", log))
    await asyncio.wait_for(asyncio.gather(holder, after), 1)
    assert doomed.cancelled()
    assert log == ["after"]


async def test_a_transaction_inside_urgent_writes_goes_before_background_ones(
    tmp_path: Path,
) -> None:
    """What a seller waits on (an update being handled) writes before the background work
    queued ahead of it; SQLite's writers of one process take turns in the writer queue."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    log: list[str] = []
    release = asyncio.Event()

    async def write(name: str) -> None:
        async with db.transaction() as session:
            await session.execute(text("SELECT 1"))
            log.append(name)

    async def holder() -> None:
        async with db.transaction():
            log.append("processing")
            await release.wait()

    async def seller() -> None:
        with urgent_writes():
            # A task started inside the block is urgent too: it runs in a copy of the context.
            await asyncio.create_task(write("answer"))

    try:
        held = asyncio.create_task(holder())
        await asyncio.sleep(0.05)
        background = [asyncio.create_task(write(f"outbox{n}")) for n in range(2)]
        await asyncio.sleep(0.01)
        answer = asyncio.create_task(seller())
        await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(held, answer, *background)
        assert log == ["processing", "answer", "outbox0", "outbox1"]
        await write("after")  # outside the block, writes are background again
    finally:
        await db.dispose()
