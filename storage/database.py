"""Engines and sessions for SQLite (the embedded default) and PostgreSQL.

SQLite runs in WAL mode with a busy timeout, and a unit of work that writes opens its
transaction with ``BEGIN IMMEDIATE``: the write lock is taken up front, so two writers queue on
the busy timeout instead of one of them failing later with "database is locked".
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

#: Page cache per SQLite connection, in KiB (bench.memory: 8 MiB less at the peak than 2 MiB).
SQLITE_CACHE_KIB = 1024
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """Accept Heroku-style ``postgres://`` and plain ``postgresql://`` URLs for asyncpg."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


class JSONText(str):
    """A JSON document that is already text, for a JSON column: stored exactly as it is.

    A marketplace webhook is stored as the very body that was signed, without being encoded
    again (that would cost as much as parsing it did, on every delivery).
    """


def _compact_json(value: Any) -> str:
    """JSON columns as UTF-8 without padding: Bulgarian text escaped as \\uXXXX is three times
    the size, and the outbox stores every message the bot sends."""
    if isinstance(value, JSONText):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Build the engine for ``url`` with the pragmas and pool that suit its backend."""
    url = normalise_url(url)
    kwargs.setdefault("json_serializer", _compact_json)
    if not is_sqlite(url):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)

    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to the "begin" hook below instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Every pooled connection keeps its own page cache (2 MiB by default), in the bot's own
        # memory; the database file's pages stay in the system's cache either way.
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def session_factories(
    engine: AsyncEngine,
) -> tuple[async_sessionmaker[AsyncSession], async_sessionmaker[AsyncSession]]:
    """Return (reader, writer) session factories; the writer locks SQLite up front."""
    reader = async_sessionmaker(engine, expire_on_commit=False)
    writer_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    writer = async_sessionmaker(writer_engine, expire_on_commit=False)
    return reader, writer


#: set while a task does what someone is waiting on (see :func:`urgent_writes`)
_urgent: contextvars.ContextVar[bool] = contextvars.ContextVar("urgent_writes", default=False)


@contextlib.contextmanager
def urgent_writes() -> Iterator[None]:
    """Within this block (and the tasks it starts), this task's transactions are urgent: an
    answer to what a seller just did does not queue behind background work on SQLite."""
    token = _urgent.set(True)
    try:
        yield
    finally:
        _urgent.reset(token)


def writes_are_urgent() -> bool:
    """Whether this task's transactions are urgent right now (inside :func:`urgent_writes`)."""
    return _urgent.get()


class WriterQueue:
    """This process's writers, one at a time, first come first served, urgent ones first.

    An urgent writer (storing a marketplace webhook before answering it) waits only for the
    transaction in progress, not for the background work queued behind it.
    """

    def __init__(self) -> None:
        self._busy = False
        self._waiting: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (
            deque(),
            deque(),
        )

    @contextlib.asynccontextmanager
    async def turn(self, *, urgent: bool = False) -> AsyncIterator[None]:
        await self._acquire(urgent)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, urgent: bool) -> None:
        if not self._busy and not any(self._waiting):
            self._busy = True
            return
        turn = asyncio.get_running_loop().create_future()
        waiting = self._waiting[0 if urgent else 1]
        waiting.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release()  # the turn was handed over just as the waiter was cancelled
            else:
                waiting.remove(turn)
            raise

    def _release(self) -> None:
        for waiting in self._waiting:
            while waiting:
                turn = waiting.popleft()
                if not turn.done():
                    turn.set_result(None)  # handed over: still busy, now for the next writer
                    return
        self._busy = False


class Database:
    """The engine and its two session factories, built once by the composition root.

    ``async with db.transaction() as session`` is the unit of work: its transaction takes the
    write lock up front on SQLite; the caller commits explicitly, and anything not committed is
    rolled back when the block ends. ``urgent=True`` is for a writer someone is waiting on
    (a webhook's sender; any writer inside :func:`urgent_writes`, such as the handling of a
    seller's update): on SQLite it goes before the background writers already queued.
    ``snapshot()`` is for reads and never writes.
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.engine = create_engine(self.url, **engine_kwargs)
        self._reader, self._writer = session_factories(self.engine)
        self._writers = WriterQueue()

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextlib.asynccontextmanager
    async def transaction(self, *, urgent: bool | None = None) -> AsyncIterator[AsyncSession]:
        if not self.is_sqlite:
            async with self._writer() as session:
                yield session
            return
        # SQLite has one writer at a time, and its busy timeout makes waiting writers poll with
        # growing sleeps: under load that is most of the latency. Writers of this process queue
        # here instead and are woken the moment the lock is free; other processes still meet
        # the busy timeout. A transaction must not open another one inside it.
        if urgent is None:
            urgent = writes_are_urgent()
        async with self._writers.turn(urgent=urgent), self._writer() as session:
            yield session

    def snapshot(self) -> AsyncSession:
        return self._reader()

    async def ping(self) -> bool:
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
