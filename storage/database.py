"""Engines and sessions for SQLite (the embedded default) and PostgreSQL.

SQLite runs in WAL mode with a busy timeout, and a unit of work that writes opens its
transaction with ``BEGIN IMMEDIATE``: the write lock is taken up front, so two writers queue on
the busy timeout instead of one of them failing later with "database is locked".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

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


def _compact_json(value: Any) -> str:
    """JSON columns as UTF-8 without padding: Bulgarian text escaped as \\uXXXX is three times
    the size, and the outbox stores every message the bot sends."""
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


class Database:
    """The engine and its two session factories, built once by the composition root.

    ``async with db.transaction() as session`` is the unit of work: its transaction takes the
    write lock up front on SQLite; the caller commits explicitly, and anything not committed is
    rolled back when the block ends. ``snapshot()`` is for reads and never writes.
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.engine = create_engine(self.url, **engine_kwargs)
        self._reader, self._writer = session_factories(self.engine)
        self._write_lock: asyncio.Lock | None = None

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        if not self.is_sqlite:
            async with self._writer() as session:
                yield session
            return
        # SQLite has one writer at a time, and its busy timeout makes waiting writers poll with
        # growing sleeps: under load that is most of the latency. Writers of this process queue
        # here instead and are woken the moment the lock is free; other processes still meet
        # the busy timeout. A transaction must not open another one inside it.
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with self._write_lock, self._writer() as session:
            yield session

    def snapshot(self) -> AsyncSession:
        return self._reader()

    async def ping(self) -> bool:
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
